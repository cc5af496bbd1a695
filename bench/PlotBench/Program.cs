using System.Diagnostics;
using System.Text.RegularExpressions;
using LeakHound.Recording;
using LeakHound.Reporting;
using PlotBench;

// `leakhound plot` on a week of 1-second samples: see bench/README.md.
string? leakhound = null;
var days = 7;
var work = Path.Combine(Path.GetTempPath(), "leakhound-plotbench");
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--leakhound" when i + 1 < args.Length:
            leakhound = Path.GetFullPath(args[++i]);
            break;
        case "--days" when i + 1 < args.Length:
            days = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--work" when i + 1 < args.Length:
            work = Path.GetFullPath(args[++i]);
            break;
        default:
            Console.Error.WriteLine("usage: PlotBench --leakhound PATH/leakhound.dll [--days 7] [--work DIR]");
            return 2;
    }
}

if (leakhound is null || !File.Exists(leakhound))
{
    Console.Error.WriteLine("PlotBench: --leakhound must name a built leakhound.dll (dotnet build -c Release src/LeakHound.Cli).");
    return 2;
}

Directory.CreateDirectory(work);
var store = Path.Combine(work, $"week-{days}d.db");
if (!File.Exists(store))
{
    Console.WriteLine($"Writing {store}: {days} days of 1-second samples for {WeekStore.Keys.Length} series ...");
    var took = await WeekStore.WriteAsync(store, days);
    Console.WriteLine($"  {days * 86400L * WeekStore.Keys.Length:#,0} samples in {took.TotalSeconds:0.0} s, {new FileInfo(store).Length / 1e6:0} MB");
}

var html = Path.Combine(work, "week.html");
var png = Path.Combine(work, "week.png");

// Warm the page cache so the first run is not an I/O benchmark.
await File.ReadAllBytesAsync(store);

Console.WriteLine();
Console.WriteLine("| What | Wall | Peak RSS | Output |");
Console.WriteLine("|---|---|---|---|");
foreach (var withPng in new[] { false, true })
{
    string[] plotArgs = withPng ? ["plot", store, "-o", html, "--png", png] : ["plot", store, "-o", html];
    var (wall, peakKb) = TimeCommand(leakhound, plotArgs);
    var output = $"{new FileInfo(html).Length / 1e6:0.00} MB HTML" + (withPng ? $", {new FileInfo(png).Length / 1e3:0} kB PNG" : "");
    Console.WriteLine($"| `leakhound plot`{(withPng ? " --png" : "")} | {wall:0.00} s | {peakKb / 1024.0:0} MB | {output} |");
}

// The same work in-process, phase by phase, to show where the time goes.
var clock = Stopwatch.StartNew();
var data = RecordingReader.Read(store);
var read = clock.Elapsed;
clock.Restart();
var page = HtmlReport.Render(data, new ReportOptions());
var render = clock.Elapsed;
clock.Restart();
var pngBytes = PngChart.Render(data);
var pngTime = clock.Elapsed;
Console.WriteLine();
Console.WriteLine($"In-process phases: RecordingReader.Read {read.TotalSeconds:0.00} s ({data.Series.Sum(s => s.Points.Count):#,0} samples), " +
                  $"HtmlReport.Render {render.TotalSeconds:0.00} s ({page.Length / 1e6:0.00} MB), PngChart.Render {pngTime.TotalSeconds:0.00} s ({pngBytes.Length / 1e3:0} kB)");

// Load time in headless Chromium: time from navigation to the page's status saying every chart drew.
var loads = new List<double>();
for (var run = 0; run < 5; run++)
{
    var (status, wall) = LoadInChromium(html);
    var match = Regex.Match(status, @"^ok: (\d+) charts, (\d+) points, (\d+) ms$");
    if (!match.Success)
    {
        Console.Error.WriteLine($"PlotBench: the report did not load: {status}");
        return 1;
    }

    loads.Add(double.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    if (run == 0)
    {
        Console.WriteLine($"Chromium: {match.Groups[1].Value} charts, {match.Groups[2].Value} points drawn; whole headless run {wall:0.00} s");
    }
}

loads.Sort();
Console.WriteLine($"Chromium: all charts drawn {loads[loads.Count / 2]:0} ms after navigation (median of {loads.Count}; min {loads[0]:0}, max {loads[^1]:0})");
return 0;

static (double Wall, long PeakKb) TimeCommand(string dll, string[] args)
{
    var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in (string[])["-v", "dotnet", dll, .. args])
    {
        start.ArgumentList.Add(a);
    }

    using var process = Process.Start(start)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"leakhound {string.Join(' ', args)} failed: {stdout.Result}{stderr}");
    }

    var wall = Regex.Match(stderr, @"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)");
    var seconds = (wall.Groups[1].Success ? int.Parse(wall.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * 3600 : 0)
        + (int.Parse(wall.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) * 60)
        + double.Parse(wall.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
    var peak = long.Parse(Regex.Match(stderr, @"Maximum resident set size \(kbytes\): (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    return (seconds, peak);
}

static (string Status, double Wall) LoadInChromium(string html)
{
    var profile = Directory.CreateTempSubdirectory("plotbench-chromium-");
    try
    {
        var start = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     $"--user-data-dir={profile.FullName}", "--window-size=1280,2000", "--dump-dom", new Uri(html).AbsoluteUri])
        {
            start.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var dom = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = stderr.Result;
        var status = Regex.Match(dom, "<div id=\"lh-status\"[^>]*>([^<]*)</div>");
        return (status.Success ? status.Groups[1].Value : "(no status element)", clock.Elapsed.TotalSeconds);
    }
    finally
    {
        profile.Delete(recursive: true);
    }
}
