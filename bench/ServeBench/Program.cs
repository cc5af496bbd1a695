using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LeakHound.Cli.Tests.Serve;
using LeakHound.Recording;
using LeakHound.Samples;

// `leakhound serve`: /metrics with 1,000 series (median scrape), and the dashboard's first load on a week of
// 1-second samples in headless Chromium (navigation to charts drawn). See bench/RESULTS.md.
string? leakhound = null;
var week = "/tmp/leakhound-plotbench/week-7d.db";
var scrapes = 200;
var loads = 5;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--leakhound" when i + 1 < args.Length:
            leakhound = Path.GetFullPath(args[++i]);
            break;
        case "--week" when i + 1 < args.Length:
            week = Path.GetFullPath(args[++i]);
            break;
        case "--scrapes" when i + 1 < args.Length:
            scrapes = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--loads" when i + 1 < args.Length:
            loads = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine("usage: ServeBench --leakhound PATH/leakhound.dll [--week week-7d.db] [--scrapes 200] [--loads 5]");
            return 2;
    }
}

if (leakhound is null || !File.Exists(leakhound))
{
    Console.Error.WriteLine("ServeBench: --leakhound must name a built leakhound.dll (dotnet build -c Release src/LeakHound.Cli).");
    return 2;
}

var work = Directory.CreateTempSubdirectory("leakhound-servebench-");
try
{
    // 1. /metrics over 1,000 series: 500 servers × 2 states of a dotnet.* metric (not folded like peers); once flat
    // (no verdict series), once all growing (each also gets leakhound_leak_slope_per_hour and leakhound_leaking).
    foreach (var growing in new[] { false, true })
    {
        var store = Path.Combine(work.FullName, growing ? "thousand-growing.db" : "thousand.db");
        await using (var sink = SqliteStore.OpenForWriting(store))
        {
            var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
            for (var round = 0; round < 60; round++)
            {
                var samples = new List<Sample>(1000);
                for (var server = 0; server < 500; server++)
                {
                    foreach (var state in new[] { "active", "idle" })
                    {
                        samples.Add(new Sample(SeriesKey.Of("dotnet.http.connections", ("server", $"backend-{server:D3}.internal:443"), ("state", state)), server + (growing ? round : 0)));
                    }
                }

                await sink.WriteRoundAsync(new SampleRound(t0.AddSeconds(10 * round), 4242, samples), CancellationToken.None);
            }
        }

        using var serve = await Serve.StartAsync(leakhound, store);
        using var http = new HttpClient();
        var body = await http.GetStringAsync(serve.Url + "/metrics");
        var series = body.Split('\n').Count(l => l.Length > 0 && !l.StartsWith('#'));
        for (var i = 0; i < 20; i++)
        {
            await http.GetStringAsync(serve.Url + "/metrics");
        }

        var times = new List<double>(scrapes);
        for (var i = 0; i < scrapes; i++)
        {
            var watch = Stopwatch.StartNew();
            await http.GetStringAsync(serve.Url + "/metrics");
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"/metrics, 1,000 {(growing ? "growing" : "flat")} series: {series} lines, {body.Length:N0} bytes; {scrapes} scrapes over HTTP: median {Pct(times, 50):F2} ms, p90 {Pct(times, 90):F2} ms, min {times[0]:F2} ms");
    }

    // 2. The dashboard's first load on a week of data.
    if (!File.Exists(week))
    {
        Console.WriteLine($"dashboard: {week} is missing; make it with: dotnet run -c Release --project bench/PlotBench -- --leakhound {leakhound}");
        return 0;
    }

    var startup = Stopwatch.StartNew();
    using (var serve = await Serve.StartAsync(leakhound, week))
    {
        Console.WriteLine($"serve {Path.GetFileName(week)} ({new FileInfo(week).Length / 1e6:F0} MB): ready to answer after {startup.Elapsed.TotalSeconds:F2} s (store read and analysed)");
        var drawn = new List<double>();
        var loaded = new List<double>();
        for (var run = 0; run < loads; run++)
        {
            var open = Stopwatch.StartNew();
            await using var browser = await DevToolsChromium.OpenAsync(serve.Url + "/");
            await browser.WaitForAsync("document.getElementById('lh-status').dataset.firstDrawMs > 0", TimeSpan.FromSeconds(120), "charts drawn");
            var wall = open.Elapsed.TotalMilliseconds;
            var page = (await browser.EvaluateAsync(
                "(() => { const s = document.getElementById('lh-status'); return { ms: +s.dataset.firstDrawMs, charts: +s.dataset.charts, points: +s.dataset.points, text: s.textContent }; })()"))!;
            drawn.Add((double)page["ms"]!);
            loaded.Add(wall);
            Console.WriteLine($"  run {run + 1}: {page["text"]}; navigation to charts drawn {(double)page["ms"]!:F0} ms; browser start to drawn {wall:F0} ms");
        }

        drawn.Sort();
        loaded.Sort();
        Console.WriteLine($"dashboard first load, week of data: navigation to charts drawn median {Pct(drawn, 50):F0} ms (min {drawn[0]:F0}, max {drawn[^1]:F0}); browser start to drawn median {Pct(loaded, 50):F0} ms");
    }

    return 0;
}
finally
{
    work.Delete(recursive: true);
}

static double Pct(List<double> sorted, int p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

/// <summary>A <c>leakhound serve FILE</c> on a free loopback port.</summary>
internal sealed partial class Serve : IDisposable
{
    private readonly Process _process;

    private Serve(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public static async Task<Serve> StartAsync(string dll, string file)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "serve", file, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("serve failed: " + await process.StandardError.ReadToEndAsync());
            if (Address().Match(line) is { Success: true } m)
            {
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                return new Serve(process, m.Value);
            }
        }
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex Address();
}
