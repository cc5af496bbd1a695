namespace LeakHound.Analysis;

/// <summary>How <see cref="LeakAnalyzer"/> reads a recording.</summary>
public sealed record AnalysisOptions
{
    /// <summary>Capacity of connection counts (a pool size, <c>max_connections</c>); the fd count uses the recorded fd limit.</summary>
    public double? Capacity { get; init; }

    /// <summary>Analyse every series, not only the connection-like ones (memory and threads are left out by default).</summary>
    public bool AllSeries { get; init; }

    /// <summary>The trend tests are O(n²): a longer segment is first reduced to this many bucket means.</summary>
    public int MaxPoints { get; init; } = 1000;

    /// <summary>Fewer points than this in the last segment is "not enough data".</summary>
    public int MinPoints { get; init; } = 8;

    /// <summary>A last segment shorter than this is "not enough data".</summary>
    public TimeSpan MinSpan { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Significance of the trend over the whole segment that a leak (or a shrink) needs.</summary>
    public double Alpha { get; init; } = 0.01;
}
