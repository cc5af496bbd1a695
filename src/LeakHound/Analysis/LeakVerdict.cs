using LeakHound.Samples;

namespace LeakHound.Analysis;

public enum VerdictKind
{
    Leaking,
    Stable,
    Shrinking,
    NotEnoughData,
}

/// <summary>
/// What the trend of one series says: is it leaking, how fast (with a confidence interval), since when,
/// and when it reaches capacity at that rate. Computed over the series' last segment (after the last restart or gap).
/// </summary>
public sealed record LeakVerdict
{
    public required SeriesKey Key { get; init; }

    public required VerdictKind Kind { get; init; }

    /// <summary>Robust slope (Theil–Sen) in units per hour, with its 95% confidence interval.</summary>
    public double SlopePerHour { get; init; }

    public double SlopeLowPerHour { get; init; }

    public double SlopeHighPerHour { get; init; }

    /// <summary>Two-sided p-value of the trend test (Mann–Kendall); 1 when not computed.</summary>
    public double PValue { get; init; } = 1;

    /// <summary>When the growth began, for a leaking series.</summary>
    public DateTimeOffset? Onset { get; init; }

    public double? Capacity { get; init; }

    /// <summary>What <see cref="Capacity"/> is, in words: "the fd limit", "the capacity".</summary>
    public string? CapacityName { get; init; }

    /// <summary>Time from the last point until the series reaches <see cref="Capacity"/> at the current slope.</summary>
    public TimeSpan? TimeToCapacity { get; init; }

    public double Last { get; init; }

    /// <summary>Smallest and largest value of the analysed segment.</summary>
    public double Min { get; init; }

    public double Max { get; init; }

    public int Points { get; init; }

    /// <summary>The analysed segment.</summary>
    public DateTimeOffset From { get; init; }

    public DateTimeOffset To { get; init; }

    /// <summary>How many segments the series was split into (at restarts and gaps).</summary>
    public int Segments { get; init; } = 1;

    /// <summary>The peer the series points to, for per-peer series.</summary>
    public string? Peer => Key.Label(MetricNames.PeerLabel);

    /// <summary>
    /// For a leaking TCP state, the peer whose series in that state leaks fastest: the downstream the leaked
    /// connections point to; or, for a server, the clients ("10.0.0.5 on :8080", see <see cref="TowardsClient"/>).
    /// For a per-peer series, its own peer.
    /// </summary>
    public string? Towards { get; init; }

    /// <summary><see cref="Towards"/> names the clients of an inbound group: the leak is "from" them, not "towards".</summary>
    public bool TowardsClient { get; init; }

    public bool IsLeaking => Kind == VerdictKind.Leaking;

    /// <summary>One sentence for people: "close_wait is leaking: +590/h (±12) since 06:12, reaches 1,024 in 1h 18m".</summary>
    public required string Summary { get; init; }
}
