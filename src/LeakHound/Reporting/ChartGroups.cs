using LeakHound.Analysis;
using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Reporting;

internal enum ChartUnit
{
    Count,
    Bytes,
}

/// <summary>One line on a chart. A limit line (the fd limit) is drawn dashed and may start hidden.</summary>
internal sealed record ChartLine(string Label, RecordedSeries Series, bool IsLimit = false);

/// <summary>One chart: a family of series that share a unit and a meaning, and the capacity to draw against them.</summary>
internal sealed record ChartGroup(string Id, string Title, ChartUnit Unit, IReadOnlyList<ChartLine> Lines, double? Capacity = null, string? Note = null);

/// <summary>Decides which series go on which chart, in the order a person hunting a leak reads them.</summary>
/// <remarks>
/// TCP by state first (CLOSE_WAIT growth is the classic leak), then the peers the connections point to, then fds
/// against the limit, then the rest. Each family gets its own chart because their scales differ by orders of
/// magnitude (a few sockets against 300 MB of RSS). Metrics not known here (commands, and later pools and
/// PostgreSQL) get one chart per metric name, so nothing recorded is left out of the report.
/// </remarks>
internal static class ChartGroups
{
    /// <summary>Most lines a chart shows; more peers than this are not readable, the rest are named in the note.</summary>
    public const int MaxLines = 8;

    /// <summary>The charts for <paramref name="data"/>; series in <paramref name="keep"/> (leaking ones) are never left out of a chart.</summary>
    public static IReadOnlyList<ChartGroup> Build(RecordedData data, double? capacity, IReadOnlySet<SeriesKey>? keep = null)
    {
        keep ??= new HashSet<SeriesKey>();
        var charts = new List<ChartGroup>();
        var used = new HashSet<SeriesKey>();
        IReadOnlyList<RecordedSeries> Of(string metric)
        {
            var found = data.Series.Where(s => s.Key.Metric == metric && s.Points.Count > 0).ToList();
            used.UnionWith(found.Select(s => s.Key));
            return found;
        }

        var states = Of(MetricNames.TcpConnections);
        if (states.Count > 0)
        {
            // The census records all twelve states every round; twelve flat zeros would hide the two that matter.
            var shown = states.Where(s => s.Points.Any(p => p.Value != 0)).ToList();
            if (shown.Count == 0)
            {
                shown = [.. states.Take(1)];
            }

            charts.Add(new ChartGroup("tcp", "TCP connections by state", ChartUnit.Count,
                Top(shown, keep, s => s.Key.Label(MetricNames.StateLabel) ?? s.Key.ToString(), out var note), capacity, note));
        }

        var peers = Of(MetricNames.TcpPeerConnections);
        if (peers.Count > 0)
        {
            charts.Add(new ChartGroup("peers", "Connections by peer", ChartUnit.Count,
                Top(peers, keep, s => $"{s.Key.Label(MetricNames.PeerLabel)} {s.Key.Label(MetricNames.StateLabel)}".Trim(), out var note), capacity, note));
        }

        var inbound = Of(MetricNames.TcpInboundConnections);
        if (inbound.Count > 0)
        {
            charts.Add(new ChartGroup("inbound", "Accepted connections by client", ChartUnit.Count,
                Top(inbound, keep, s => $"{VerdictText.Client(s.Key)} {s.Key.Label(MetricNames.StateLabel)}".Trim(), out var note), capacity, note));
        }

        var fds = Of(MetricNames.Fds);
        var limit = Of(MetricNames.FdLimit);
        if (fds.Count > 0)
        {
            var lines = new List<ChartLine> { new("open fds", fds[0]) };
            lines.AddRange(limit.Take(1).Select(l => new ChartLine("fd limit", l, IsLimit: true)));
            charts.Add(new ChartGroup("fds", "Open file descriptors against the limit", ChartUnit.Count, lines));
        }

        AddPostgres(charts, Of, keep);

        var sockets = Of(MetricNames.UdpSockets).Select(s => new ChartLine("udp", s))
            .Concat(Of(MetricNames.UnixSockets).Select(s => new ChartLine("unix", s))).ToList();
        if (sockets.Count > 0)
        {
            charts.Add(new ChartGroup("sockets", "UDP and Unix sockets", ChartUnit.Count, sockets));
        }

        foreach (var (metric, title, label, unit) in new[]
                 {
                     (MetricNames.RssBytes, "Resident memory", "rss", ChartUnit.Bytes),
                     (MetricNames.Threads, "Threads", "threads", ChartUnit.Count),
                 })
        {
            if (Of(metric) is { Count: > 0 } found)
            {
                charts.Add(new ChartGroup(metric.Replace('.', '-'), title, unit, [.. found.Select(s => new ChartLine(s.Key.Labels.Count == 0 ? label : Label(s.Key), s))]));
            }
        }

        // Commands first among the rest, then any other metric, each in name order (the reader's key order).
        var rest = data.Series.Where(s => !used.Contains(s.Key) && s.Points.Count > 0)
            .GroupBy(s => s.Key.Metric)
            .OrderBy(g => g.Key.StartsWith(MetricNames.CommandPrefix, StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(g => g.Key, StringComparer.Ordinal);
        var index = 0;
        foreach (var group in rest)
        {
            // A command prints any number (files in /tmp, disk use), so a connection capacity means nothing on it;
            // other metrics (the seeds' connection counts, later pools) are connections and get the line.
            var command = group.Key.StartsWith(MetricNames.CommandPrefix, StringComparison.Ordinal);
            var title = command ? $"Command {group.Key[MetricNames.CommandPrefix.Length..]}" : group.Key;
            charts.Add(new ChartGroup($"m{index++}", title, ChartUnit.Count, Top([.. group], keep, s => Label(s.Key), out var note), command ? null : capacity, note));
        }

        return charts;
    }

    /// <summary>
    /// PostgreSQL: connections by state and by application against <c>max_connections</c> minus the reserved slots
    /// (what clients can really use), then how long the oldest connections have sat idle.
    /// </summary>
    private static void AddPostgres(List<ChartGroup> charts, Func<string, IReadOnlyList<RecordedSeries>> of, IReadOnlySet<SeriesKey> keep)
    {
        var usable = UsableConnections(of(MetricNames.PgMaxConnections), of(MetricNames.PgReservedConnections));
        ChartLine[] Limit() => usable is null ? [] : [new ChartLine("max_connections − reserved", usable, IsLimit: true)];

        var states = of(MetricNames.PgConnections).Where(s => s.Points.Any(p => p.Value != 0)).ToList();
        if (states.Count > 0)
        {
            charts.Add(new ChartGroup("pg", "PostgreSQL connections by state", ChartUnit.Count,
                [.. Top(states, keep, s => s.Key.Label(MetricNames.StateLabel) ?? s.Key.ToString(), out var note), .. Limit()], null, note));
        }

        var apps = of(MetricNames.PgAppConnections).Where(s => s.Points.Any(p => p.Value != 0)).ToList();
        if (apps.Count > 0)
        {
            charts.Add(new ChartGroup("pg-apps", "PostgreSQL connections by application", ChartUnit.Count,
                [.. Top(apps, keep, s => Label(s.Key), out var note), .. Limit()], null, note));
        }

        var idle = of(MetricNames.PgOldestIdleSeconds).Select(s => new ChartLine("oldest idle (s)", s))
            .Concat(of(MetricNames.PgOldestIdleInTransactionSeconds).Select(s => new ChartLine("oldest idle in transaction (s)", s)))
            .Concat(of(MetricNames.PgIdleLongerThanThreshold).Select(s => new ChartLine($"idle too long: {Label(s.Key)}", s)))
            .ToList();
        if (idle.Count > 0)
        {
            charts.Add(new ChartGroup("pg-idle", "PostgreSQL idle connections", ChartUnit.Count, idle));
        }
    }

    /// <summary>max_connections minus reserved slots at each recorded time: the capacity line of the PostgreSQL charts.</summary>
    private static RecordedSeries? UsableConnections(IReadOnlyList<RecordedSeries> max, IReadOnlyList<RecordedSeries> reserved)
    {
        if (max.Count == 0)
        {
            return null;
        }

        var reservedAt = reserved.Count == 0 ? [] : reserved[0].Points.ToDictionary(p => p.Time, p => p.Value);
        var points = max[0].Points.Select(p => new TimedValue(p.Time, p.Value - reservedAt.GetValueOrDefault(p.Time))).ToList();
        return new RecordedSeries(SeriesKey.Of("postgres.usable_connections"), points);
    }

    /// <summary>The <see cref="MaxLines"/> series that reach the highest values (kept ones first); a note says how many were left out.</summary>
    private static List<ChartLine> Top(IReadOnlyList<RecordedSeries> series, IReadOnlySet<SeriesKey> keep, Func<RecordedSeries, string> label, out string? note)
    {
        var top = series
            .OrderByDescending(s => keep.Contains(s.Key))
            .ThenByDescending(s => s.Points.Max(p => p.Value))
            .ThenBy(s => s.Key)
            .Take(MaxLines)
            .ToList();
        note = series.Count > top.Count ? $"the {top.Count} highest of {series.Count} series" : null;
        return [.. top.Select(s => new ChartLine(label(s), s))];
    }

    /// <summary>A series' labels as its legend text, or its metric when it has none.</summary>
    private static string Label(SeriesKey key) =>
        key.Labels.Count == 0 ? key.Metric : string.Join(" ", key.Labels.Select(l => l.Value));
}
