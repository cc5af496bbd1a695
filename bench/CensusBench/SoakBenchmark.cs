using System.Diagnostics;
using System.Globalization;
using LeakHound;
using LeakHound.Analysis;
using LeakHound.Samples;
using LeakHound.Sources.Process;
using LeakyService;

namespace CensusBench;

/// <summary>Options of "soak".</summary>
internal sealed record SoakOptions(string LeakHoundDll, double Minutes, string Interval, int Rate)
{
    public static SoakOptions Parse(ArgReader args)
    {
        var dll = args.String("--leakhound") ?? throw new UsageException("soak needs --leakhound PATH/leakhound.dll.");
        var options = new SoakOptions(dll, args.Double("--minutes", 10, 0.2, 24 * 60), args.String("--interval") ?? "100ms", args.Int("--rate", 1000, 1, 100_000));
        _ = LeakHound.Duration.Parse(options.Interval, "interval");
        args.EnsureAllUsed();
        return File.Exists(dll) ? options : throw new UsageException($"--leakhound: no file at {dll}.");
    }
}

/// <summary>
/// "LeakHound does not leak": <c>leakhound watch</c> at 100 ms for ten minutes on a process that opens and closes about
/// a thousand connections a second, while LeakHound's own census watches the watcher's fds, sockets, threads and
/// memory, and LeakHound's own verdict says whether any of them grows.
/// </summary>
internal static class SoakBenchmark
{
    public static async Task<int> RunAsync(SoakOptions options)
    {
        using var target = StartChurn(options.Rate);
        var database = Path.Combine(Path.GetTempPath(), $"leakhound-soak-{Environment.ProcessId}.db");
        using var watcher = new WatcherProcess(options.LeakHoundDll, target.Id, options.Interval, database);
        var inspector = ProcessInspectors.ForCurrentOs();
        var series = new Dictionary<string, List<TimedValue>> { ["fds"] = [], ["tcp"] = [], ["threads"] = [], ["rss_bytes"] = [] };
        var end = DateTimeOffset.UtcNow.AddMinutes(options.Minutes);
        var exitedEarly = false;
        Console.WriteLine($"churn target PID {target.Id} ({options.Rate} connections/s); watcher PID {watcher.Pid} every {options.Interval} for {options.Minutes} min");
        try
        {
            while (DateTimeOffset.UtcNow < end && !watcher.HasExited)
            {
                await Task.Delay(TimeSpan.FromSeconds(10));
                var census = inspector.Take(watcher.Pid);
                var now = DateTimeOffset.UtcNow;
                series["fds"].Add(new(now, census.Fds));
                series["tcp"].Add(new(now, census.TcpTotal));
                series["threads"].Add(new(now, census.Threads));
                series["rss_bytes"].Add(new(now, census.RssBytes));
                Console.WriteLine($"  {now:HH:mm:ss} fds={census.Fds} tcp={census.TcpTotal} threads={census.Threads} rss={census.RssBytes / 1048576.0:0.0}MB");
            }
        }
        finally
        {
            exitedEarly = watcher.HasExited;
            watcher.Stop();
            target.Kill();
        }

        var rounds = Command.Run("sqlite3", database, "SELECT count(DISTINCT time_ms) FROM samples").Trim();
        Console.WriteLine();
        Console.WriteLine($"| Watcher resource | first (t=10 s) | middle | end | verdict (LeakHound's own) |");
        Console.WriteLine("|---|---:|---:|---:|---|");
        var leaking = false;
        foreach (var (name, points) in series)
        {
            // The first minute is start-up (JIT, pools filling): judge the steady state after it.
            var steady = points.Skip(6).ToList();
            var verdict = LeakAnalyzer.Analyze(SeriesKey.Of("watcher." + name), steady, [], null, null);
            leaking |= verdict.Kind == VerdictKind.Leaking;
            string Show(double v) => name == "rss_bytes" ? $"{v / 1048576.0:0.0} MB" : v.ToString(CultureInfo.InvariantCulture);
            Console.WriteLine($"| {name} | {Show(points[0].Value)} | {Show(points[points.Count / 2].Value)} | {Show(points[^1].Value)} | {verdict.Kind} ({verdict.SlopePerHour:+0.##;-0.##;0}/h) |");
        }

        Console.WriteLine();
        Console.WriteLine($"- {rounds} rounds recorded in {database}; the watcher {(exitedEarly ? "exited early: " + watcher.Tail() : "ran to the end")}.");
        File.Delete(database);
        return leaking ? 1 : 0;
    }

    private static Process StartChurn(int rate)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(SoakBenchmark).Assembly.Location);
        info.ArgumentList.Add("churn");
        info.ArgumentList.Add("--rate");
        info.ArgumentList.Add(rate.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(info) ?? throw new LeakHoundException("could not start the churn target.");
        var ready = process.StandardOutput.ReadLine();
        return ready is not null && ready.StartsWith("ready", StringComparison.Ordinal)
            ? process
            : throw new LeakHoundException("the churn target did not start.");
    }
}
