using LeakHound.Analysis;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LeakHound.Recording;
using LeakHound.Reporting;

namespace LeakHound.Cli.Commands;

/// <summary><c>leakhound plot FILE -o report.html [--png chart.png]</c>: the recording as an HTML report and, optionally, a PNG.</summary>
internal static class PlotCommand
{
    public static Command Build()
    {
        var file = new Argument<string>("FILE") { Description = "A LeakHound store or a CSV file (including the seeds' unix_timestamp,value lines)." };
        var output = new Option<string>("--out", "-o") { Description = "Where to write the HTML report.", Required = true };
        var png = new Option<string?>("--png") { Description = "Also write the main charts as one PNG (for e-mail and CI artifacts)." };
        var capacity = new Option<string?>("--capacity") { Description = "A capacity to draw on the connection charts (pool size, max_connections)." };
        var title = new Option<string?>("--title") { Description = "The report's title (default: the file's name)." };
        var json = new Option<bool>("--json") { Description = "Print what was written as JSON." };
        var command = new Command("plot", "Write a recording as a self-contained interactive HTML report (and a PNG), readable offline.")
        {
            file, output, png, capacity, title, json,
        };
        command.SetAction(parse => Run(
            parse.GetValue(file)!,
            parse.GetValue(output)!,
            parse.GetValue(png),
            ParseCapacity(parse.GetValue(capacity)),
            parse.GetValue(title),
            parse.GetValue(json)));
        return command;
    }

    /// <summary>Writes the report of the recording at <paramref name="path"/>; shared with <c>demo</c>.</summary>
    public static (string Html, string? Png, int Charts) Write(string path, string htmlPath, string? pngPath = null, double? capacity = null, string? title = null)
    {
        // Fail on an unwritable output before reading what may be a week of samples.
        RecordingPath.EnsureWritable(htmlPath);
        if (pngPath is not null)
        {
            RecordingPath.EnsureWritable(pngPath);
        }

        var data = RecordingInput.Read(path);
        if (data.Series.All(s => s.Points.Count == 0))
        {
            throw new LeakHoundException($"{path} holds no samples yet: nothing to plot.");
        }

        var options = new ReportOptions
        {
            Title = title ?? $"LeakHound report: {Path.GetFileName(path)}",
            Source = Path.GetFullPath(path),
            Capacity = capacity,
            GeneratedAt = DateTimeOffset.UtcNow,
        };

        var verdicts = LeakAnalyzer.Analyze(data, new AnalysisOptions { Capacity = capacity });
        var charts = HtmlReport.Write(htmlPath, data, options, verdicts);
        if (pngPath is not null)
        {
            PngChart.Write(pngPath, data, options, verdicts);
        }

        return (Path.GetFullPath(htmlPath), pngPath is null ? null : Path.GetFullPath(pngPath), charts);
    }

    private static int Run(string path, string htmlPath, string? pngPath, double? capacity, string? title, bool json)
    {
        var (html, png, charts) = Write(path, htmlPath, pngPath, capacity, title);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { report = html, png, charts, bytes = new FileInfo(html).Length }));
            return CliApp.Ok;
        }

        Console.WriteLine($"Wrote {html} ({charts} charts, {Kilobytes(new FileInfo(html).Length)}).");
        if (png is not null)
        {
            Console.WriteLine($"Wrote {png} ({Kilobytes(new FileInfo(png).Length)}).");
        }

        return CliApp.Ok;
    }

    private static double? ParseCapacity(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return double.TryParse(text.Replace(",", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value) && value > 0
            ? value
            : throw new UsageException($"'{text}' is not a valid capacity: write a positive number, such as 100 or 1024.");
    }

    private static string Kilobytes(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / 1024.0 / 1024.0:0.0} MB"
        : $"{Math.Max(1, bytes / 1024)} kB";
}
