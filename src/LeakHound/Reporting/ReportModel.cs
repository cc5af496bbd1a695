using LeakHound.Analysis;
using LeakHound.Recording;

namespace LeakHound.Reporting;

/// <summary>A vertical line on a chart: a recording event (restart, gap, end) or the onset of a leak.</summary>
internal sealed record ChartMarker(DateTimeOffset Time, string Kind, string Label);

/// <summary>One chart ready to draw: its series, downsampled and aligned, and its markers.</summary>
internal sealed record ReportChart(ChartGroup Group, AlignedSeries Data, IReadOnlyList<ChartMarker> Markers);

/// <summary>
/// Everything a report draws, computed once and shared by the HTML and PNG renderers so that both show the same
/// charts, points and markers.
/// </summary>
internal sealed record ReportModel(
    RecordedData Data,
    ReportOptions Options,
    IReadOnlyList<ReportChart> Charts,
    IReadOnlyList<LeakVerdict>? Verdicts,
    IReadOnlyList<ChartMarker> EventMarkers)
{
    public static ReportModel Build(RecordedData data, ReportOptions options, IReadOnlyList<LeakVerdict>? verdicts, int maxPointsPerSeries)
    {
        var leaking = (verdicts ?? []).Where(v => v.Kind == VerdictKind.Leaking).ToList();
        var groups = ChartGroups.Build(data, options.Capacity, leaking.Select(v => v.Key).ToHashSet());
        var events = MarkersOf(data.Events);

        // A gap means no samples: lines must stop there rather than join the two sides with a straight line.
        var breaks = data.Events.Where(e => e.Kind == EventKind.Gap).Select(e => e.Time).ToList();
        var charts = new List<ReportChart>(groups.Count);
        var shown = groups.SelectMany(g => g.Lines).Select(l => l.Series.Points).Where(p => p.Count > 0).ToList();
        var first = shown.Count == 0 ? 0 : shown.Min(p => p[0].Time.ToUnixTimeMilliseconds());
        var last = shown.Count == 0 ? 0 : shown.Max(p => p[^1].Time.ToUnixTimeMilliseconds());
        foreach (var group in groups)
        {
            // Span adds at most one empty row a side: leave room for them so no chart exceeds the budget.
            var aligned = Downsampling.Span(Downsampling.Align([.. group.Lines.Select(l => l.Series.Points)], maxPointsPerSeries - 2, breaks), first, last);
            var onsets = leaking
                .Where(v => v.Onset is not null && group.Lines.Any(l => l.Series.Key == v.Key))
                .Select(v => new ChartMarker(v.Onset!.Value, "onset", "onset " + group.Lines.First(l => l.Series.Key == v.Key).Label));
            charts.Add(new ReportChart(group, aligned, [.. events.Concat(onsets).OrderBy(m => m.Time)]));
        }

        return new ReportModel(data, options, charts, verdicts, events);
    }

    /// <summary>Restarts, gaps and ends, and a start that is not the first (a watch resumed on the same store).</summary>
    private static List<ChartMarker> MarkersOf(IReadOnlyList<RecordedEvent> events)
    {
        var markers = new List<ChartMarker>();
        var starts = 0;
        foreach (var e in events)
        {
            var pid = e.Pid is { } p ? $" (PID {p})" : "";
            switch (e.Kind)
            {
                case EventKind.Restart:
                    markers.Add(new ChartMarker(e.Time, "restart", "restart" + pid));
                    break;
                case EventKind.Gap:
                    markers.Add(new ChartMarker(e.Time, "gap", "gap"));
                    break;
                case EventKind.End:
                    markers.Add(new ChartMarker(e.Time, "end", "end"));
                    break;
                case EventKind.Start when starts++ > 0:
                    markers.Add(new ChartMarker(e.Time, "start", "start" + pid));
                    break;
            }
        }

        return markers;
    }
}
