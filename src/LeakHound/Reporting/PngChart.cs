using LeakHound.Analysis;
using LeakHound.Recording;
using ScottPlot;
using SkiaSharp;

namespace LeakHound.Reporting;

/// <summary>
/// One PNG for e-mail and CI artifacts: the main panels (TCP by state, connections by peer, fds against the limit)
/// stacked, with the capacity line, recording events and leak onsets marked. Drawn with ScottPlot.
/// </summary>
public static class PngChart
{
    public const int Width = 1200;
    public const int PanelHeight = 360;

    /// <summary>The panels a PNG shows, first found first; other charts follow only when these are missing (a seeds' CSV).</summary>
    private static readonly string[] MainPanels = ["tcp", "peers", "fds"];

    private static readonly string[] Palette = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

    /// <summary>Renders the PNG and writes it to <paramref name="path"/>; an unwritable path is a <see cref="LeakHoundException"/> naming it.</summary>
    public static void Write(string path, RecordedData data, ReportOptions? options = null, IReadOnlyList<LeakVerdict>? verdicts = null)
    {
        var png = Render(data, options, verdicts);
        ReportFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>The PNG's bytes.</summary>
    public static byte[] Render(RecordedData data, ReportOptions? options = null, IReadOnlyList<LeakVerdict>? verdicts = null)
    {
        options ??= new ReportOptions();

        // Two points per pixel column are all a 1,200-pixel-wide panel can show.
        var model = ReportModel.Build(data, options, verdicts, 2 * Width);
        var panels = model.Charts.Where(c => MainPanels.Contains(c.Group.Id)).OrderBy(c => Array.IndexOf(MainPanels, c.Group.Id)).ToList();
        if (panels.Count == 0)
        {
            panels = [.. model.Charts.Take(MainPanels.Length)];
        }

        var height = Math.Max(1, panels.Count) * PanelHeight;
        using var surface = SKSurface.Create(new SKImageInfo(Width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        for (var i = 0; i < panels.Count; i++)
        {
            // Each panel on its own surface: ScottPlot clears the whole canvas it renders onto.
            var plot = Panel(panels[i], i == 0 ? Heading(model) : null);
            using var panel = SKSurface.Create(new SKImageInfo(Width, PanelHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
            plot.Render(panel.Canvas, Width, PanelHeight);
            using var snapshot = panel.Snapshot();
            canvas.DrawImage(snapshot, 0, i * PanelHeight);
        }

        using var image = surface.Snapshot();
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }

    private static string? Heading(ReportModel model)
    {
        var leaking = model.Verdicts?.Where(v => v.Kind == VerdictKind.Leaking).ToList();
        return leaking is { Count: > 0 } ? leaking[0].Summary + (leaking.Count > 1 ? $" (+{leaking.Count - 1} more)" : "") : null;
    }

    private static Plot Panel(ReportChart chart, string? heading)
    {
        var plot = new Plot();
        var hiddenLimit = ReportJson.LimitHidden(chart);
        var title = chart.Group.Title
            + (hiddenLimit is { } limit ? $" (limit {HtmlReport.Number(limit)}, far above)" : "")
            + (heading is null ? "" : " · " + heading);
        plot.Font.Set(Fonts.Sans);
        plot.Title(title, size: 14);
        plot.Axes.DateTimeTicksBottom();
        var top = 0.0;
        for (var s = 0; s < chart.Group.Lines.Count; s++)
        {
            var line = chart.Group.Lines[s];
            if (line.IsLimit && hiddenLimit is not null)
            {
                continue;
            }

            var color = Color.FromHex(line.IsLimit ? "#d62728" : Palette[s % Palette.Length]);
            var first = true;
            foreach (var (xs, ys) in Segments(chart.Data, s))
            {
                var scatter = plot.Add.ScatterLine(xs, ys);
                scatter.Color = color;
                scatter.LineWidth = line.IsLimit ? 1.5f : 2f;
                scatter.LinePattern = line.IsLimit ? LinePattern.Dashed : LinePattern.Solid;
                scatter.MarkerSize = 0;

                // One legend entry a series, however many segments the gaps cut it into.
                scatter.LegendText = first ? line.Label : "";
                first = false;
                top = Math.Max(top, ys.Max());
            }
        }

        if (chart.Group.Capacity is { } capacity)
        {
            var h = plot.Add.HorizontalLine(capacity);
            h.Color = Colors.Red;
            h.LinePattern = LinePattern.Dashed;
            h.LineWidth = 1.5f;
            h.LegendText = $"capacity {HtmlReport.Number(capacity)}";
            if (capacity <= Math.Max(top, 1) * 20)
            {
                top = Math.Max(top, capacity);
            }
        }

        foreach (var marker in chart.Markers)
        {
            var v = plot.Add.VerticalLine(marker.Time.UtcDateTime.ToOADate());
            v.Color = Color.FromHex(marker.Kind switch { "onset" => "#d62728", "restart" => "#1f77b4", "gap" => "#7f7f7f", _ => "#333333" });
            v.LinePattern = LinePattern.Dotted;
            v.LineWidth = 1.5f;
            v.Text = marker.Label;
            v.LabelOppositeAxis = true;
        }

        if (chart.Group.Unit == ChartUnit.Bytes)
        {
            plot.Axes.Left.Label.Text = "bytes";
        }

        plot.Axes.AutoScaleX();
        plot.Axes.SetLimitsY(0, Math.Max(1, top) * 1.08);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>A series' points as runs of values, cut at missing values' recording breaks, in OLE dates for ScottPlot's time axis.</summary>
    private static IEnumerable<(double[] Xs, double[] Ys)> Segments(AlignedSeries data, int series)
    {
        var breaks = data.Breaks.ToHashSet();
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i <= data.Times.Length; i++)
        {
            if (i == data.Times.Length || breaks.Contains(i))
            {
                if (xs.Count > 0)
                {
                    yield return (xs.ToArray(), ys.ToArray());
                    xs.Clear();
                    ys.Clear();
                }

                continue;
            }

            var v = data.Values[series][i];
            if (double.IsFinite(v))
            {
                xs.Add(DateTimeOffset.FromUnixTimeMilliseconds(data.Times[i]).UtcDateTime.ToOADate());
                ys.Add(v);
            }
        }
    }
}
