using LeakHound.Analysis;
using LeakHound.Samples;

namespace LeakHound.Alerting;

public enum NoticeKind
{
    Firing,
    Resolved,
    Reminder,
    Test,
    Digest,
}

/// <summary>
/// One message to send: an incident starting, a reminder, its end, a test or a digest. Carries what the reader
/// needs at 3 a.m.: what, how much of capacity, the trend, towards whom, which process on which host, since when.
/// </summary>
public sealed record AlertNotice
{
    public required NoticeKind Kind { get; init; }

    /// <summary>The rule's text; for a test or digest, a title.</summary>
    public required string Rule { get; init; }

    /// <summary>The series the rule fired for; null for source health, tests and digests.</summary>
    public SeriesKey? Series { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>When the condition first held (the incident's start).</summary>
    public DateTimeOffset? Since { get; init; }

    public double? Value { get; init; }

    public double? Capacity { get; init; }

    public LeakVerdict? Verdict { get; init; }

    /// <summary>Peers holding the most connections in the fired state, with their counts.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> TopPeers { get; init; } = [];

    public int? Pid { get; init; }

    public string? Process { get; init; }

    public string Host { get; init; } = Environment.MachineName;

    /// <summary>Extra lines: a digest's numbers and verdicts, a source's error.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>The chart as PNG, attached to e-mails; drawn when the notice is made, from the watch's own history.</summary>
    public byte[]? Chart { get; init; }

    public double? ShareOfCapacity => Value is { } v && Capacity is > 0 ? v / Capacity.Value : null;
}
