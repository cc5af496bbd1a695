namespace LeakHound.Reporting;

/// <summary>What a report shows besides the data: its title, where the data came from, the capacity to draw.</summary>
public sealed record ReportOptions
{
    public string Title { get; init; } = "LeakHound report";

    /// <summary>The recording the report was made from, shown in the header (a file name, not trusted text).</summary>
    public string? Source { get; init; }

    /// <summary>A capacity (pool size, max_connections) drawn as a line on the connection charts.</summary>
    public double? Capacity { get; init; }

    /// <summary>Most points a series gets in the HTML report: about two per pixel column of a wide screen.</summary>
    public int MaxPointsPerSeries { get; init; } = 3000;

    /// <summary>When the report was made; now when not given (tests pin it).</summary>
    public DateTimeOffset? GeneratedAt { get; init; }
}
