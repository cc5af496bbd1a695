using LeakHound.Samples;

namespace LeakHound.Recording;

/// <summary>One series read back from a store or CSV file, points in time order.</summary>
public sealed record RecordedSeries(SeriesKey Key, IReadOnlyList<TimedValue> Points);

/// <summary>A whole recording read back: every series and every event.</summary>
public sealed record RecordedData(IReadOnlyList<RecordedSeries> Series, IReadOnlyList<RecordedEvent> Events)
{
    /// <summary>What the reader noticed and fixed on the way (timestamps out of order), for the user to hear about.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public RecordedSeries? Find(SeriesKey key) => Series.FirstOrDefault(s => s.Key == key);
}
