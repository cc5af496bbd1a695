namespace LeakHound.Samples;

/// <summary>One observed number for one series.</summary>
public readonly record struct Sample(SeriesKey Key, double Value);

/// <summary>
/// Everything observed at one moment: the unit every source produces and every sink consumes.
/// <see cref="Pid"/> is the watched process, when there is one.
/// </summary>
public sealed record SampleRound(DateTimeOffset Time, int? Pid, IReadOnlyList<Sample> Samples);

/// <summary>A value of a series at a time, as read back from a store or a CSV file.</summary>
public readonly record struct TimedValue(DateTimeOffset Time, double Value);
