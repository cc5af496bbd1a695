using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using LeakHound.Analysis;
using LeakHound.Recording;

namespace LeakHound.Reporting;

/// <summary>
/// A self-contained interactive HTML report: the verdicts at the top, then one chart per series family
/// (zoom, pan and hover through the inlined uPlot), then the recording's events. It needs no network.
/// </summary>
/// <remarks>
/// Peer names, command names and event details come from other parties, so text reaches the page in two ways
/// only: HTML-encoded into the markup, or as JSON inside <c>&lt;script type="application/json"&gt;</c> with
/// <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c> and U+2028/2029 escaped (System.Text.Json's default encoder), read by
/// the page's script with <c>JSON.parse</c> and shown with <c>textContent</c>. No script is built from strings.
/// A Content-Security-Policy allows only the page's own three scripts (uPlot, charts.js, report.js; by hash) and inline styles: no network,
/// and a script that slipped in some other way would not run.
/// </remarks>
public static class HtmlReport
{
    private const int MaxEventRows = 500;

    /// <summary>Renders the report. <paramref name="verdicts"/>, when given, are summarised at the top and their onsets marked on the charts.</summary>
    public static string Render(RecordedData data, ReportOptions? options = null, IReadOnlyList<LeakVerdict>? verdicts = null)
    {
        options ??= new ReportOptions();
        var model = ReportModel.Build(data, options, verdicts, options.MaxPointsPerSeries);
        return Render(model);
    }

    /// <summary>
    /// Renders the report and writes it to <paramref name="path"/>; returns how many charts it holds.
    /// An unwritable path is a <see cref="LeakHoundException"/> naming it.
    /// </summary>
    public static int Write(string path, RecordedData data, ReportOptions? options = null, IReadOnlyList<LeakVerdict>? verdicts = null)
    {
        options ??= new ReportOptions();
        var model = ReportModel.Build(data, options, verdicts, options.MaxPointsPerSeries);
        var bytes = Encoding.UTF8.GetBytes(Render(model));
        ReportFile.Write(path, stream => stream.Write(bytes));
        return model.Charts.Count;
    }

    internal static string Render(ReportModel model)
    {
        var json = ReportJson.Write(model);
        var uPlot = ReportAssets.UPlotScript;
        var charts = ReportAssets.ChartScript;
        var script = ReportAssets.ReportScript;
        var csp = $"default-src 'none'; script-src {Hash(uPlot)} {Hash(charts)} {Hash(script)}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

        var html = new StringBuilder(json.Length + uPlot.Length + 64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(csp).Append("\">\n")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Text(model.Options.Title)).Append("</title>\n")
            .Append("<style>").Append(ReportAssets.UPlotStyle).Append("</style>\n")
            .Append("<style>").Append(ReportAssets.ReportStyle).Append("</style>\n")
            .Append("</head>\n<body>\n");

        AppendHeader(html, model);
        VerdictSummary.Append(html, model.Verdicts);
        html.Append("<p id=\"lh-error\" class=\"error\" hidden></p>\n")
            .Append("<noscript><p class=\"error\">The charts need JavaScript; the verdicts and events are plain text.</p></noscript>\n")
            .Append("<p class=\"help\">Drag across a chart to zoom, use the wheel to zoom around the cursor, shift+drag to pan, double-click to see everything again; hover for values. All charts move together. Times are UTC.</p>\n");

        for (var i = 0; i < model.Charts.Count; i++)
        {
            var chart = model.Charts[i];
            html.Append("<section class=\"chart\">\n<h2>").Append(Text(chart.Group.Title)).Append("</h2>\n");
            if (ChartNote(chart) is { } note)
            {
                html.Append("<p class=\"note\">").Append(Text(note)).Append("</p>\n");
            }

            html.Append("<div class=\"plot\" data-chart=\"").Append(i.ToString(CultureInfo.InvariantCulture)).Append("\"></div>\n</section>\n");
        }

        AppendEvents(html, model.Data.Events);
        html.Append("<p class=\"credit\">Made by LeakHound")
            .Append(model.Options.GeneratedAt is { } at ? " at " + Time(at) : "")
            .Append(". Charts drawn with uPlot ").Append(ReportAssets.UPlotVersion).Append(" (MIT licence, github.com/leeoniya/uPlot).</p>\n")
            .Append("<div id=\"lh-status\" hidden>loading</div>\n")
            .Append("<script type=\"application/json\" id=\"lh-data\">").Append(json).Append("</script>\n")
            .Append("<script>").Append(uPlot).Append("</script>\n")
            .Append("<script>").Append(charts).Append("</script>\n")
            .Append("<script>").Append(script).Append("</script>\n")
            .Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>HTML-encodes text from anywhere: the recording, the user, the file system.</summary>
    internal static string Text(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    internal static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    internal static string Number(double value) =>
        Math.Abs(value) >= 100 || value == Math.Round(value)
            ? Math.Round(value).ToString("#,0", CultureInfo.InvariantCulture)
            : value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string? ChartNote(ReportChart chart)
    {
        var notes = new List<string>();
        if (chart.Group.Note is { } note)
        {
            notes.Add(note);
        }

        if (ReportJson.LimitHidden(chart) is { } limit)
        {
            notes.Add($"the fd limit ({Number(limit)}) is far above the open fds: click \"fd limit\" in the legend to draw it");
        }

        if (chart.Data.Times.Length > 0 && chart.Group.Lines.Any(l => l.Series.Points.Count > chart.Data.Times.Length))
        {
            notes.Add($"downsampled to {chart.Data.Times.Length:#,0} points a series, keeping each bucket's minimum and maximum");
        }

        return notes.Count == 0 ? null : string.Concat(notes.Select((n, i) => i == 0 ? char.ToUpperInvariant(n[0]) + n[1..] : "; " + n)) + ".";
    }

    private static void AppendHeader(StringBuilder html, ReportModel model)
    {
        html.Append("<header>\n<h1>").Append(Text(model.Options.Title)).Append("</h1>\n");
        var series = model.Data.Series.Where(s => s.Points.Count > 0).ToList();
        var facts = new List<string>();
        if (model.Options.Source is { } source)
        {
            facts.Add(source);
        }

        if (series.Count > 0)
        {
            var from = series.Min(s => s.Points[0].Time);
            var to = series.Max(s => s.Points[^1].Time);
            facts.Add($"{Time(from)} to {Time(to)} ({Duration.Format(to - from)})");
            facts.Add($"{series.Count:#,0} series, {series.Sum(s => (long)s.Points.Count):#,0} samples");
        }

        var pids = model.Data.Events.Select(e => e.Pid).OfType<int>().Distinct().ToList();
        if (pids.Count > 0)
        {
            facts.Add((pids.Count == 1 ? "PID " : "PIDs ") + string.Join(", ", pids.Take(10)));
        }

        if (model.Options.Capacity is { } capacity)
        {
            facts.Add($"capacity {Number(capacity)}");
        }

        html.Append("<p class=\"meta\">").Append(Text(string.Join(" · ", facts))).Append("</p>\n</header>\n");
    }

    private static void AppendEvents(StringBuilder html, IReadOnlyList<RecordedEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        html.Append("<section id=\"events\">\n<h2>Events</h2>\n");
        if (events.Count > MaxEventRows)
        {
            html.Append("<p class=\"note\">The last ").Append(MaxEventRows).Append(" of ").Append(events.Count.ToString("#,0", CultureInfo.InvariantCulture)).Append(" events.</p>\n");
        }

        html.Append("<table>\n<thead><tr><th>time</th><th>event</th><th>PID</th><th>detail</th></tr></thead>\n<tbody>\n");
        foreach (var e in events.Skip(Math.Max(0, events.Count - MaxEventRows)))
        {
            html.Append("<tr><td>").Append(Time(e.Time))
                .Append("</td><td>").Append(Text(e.Kind.ToString().ToLowerInvariant()))
                .Append("</td><td class=\"num\">").Append(e.Pid?.ToString(CultureInfo.InvariantCulture) ?? "")
                .Append("</td><td>").Append(Text(e.Detail)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static string Hash(string script) => "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script))) + "'";
}
