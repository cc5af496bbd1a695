using System.Diagnostics;
using System.Globalization;
using System.Text;
using LeakHound;

namespace CensusBench;

/// <summary>
/// What <c>leakhound watch</c> costs the machine it watches on: a holder with --sockets TCP sockets, the watcher
/// sampling it every --interval into a temporary database, and the watcher's CPU time and RSS read from /proc
/// every --sample-every. Reports CPU as % of one core and whether RSS stays flat.
/// </summary>
internal static class WatchCostBenchmark
{
    /// <summary>RSS counts as flat when the end is within this share, or <see cref="FlatMarginKb"/>, of the reference.</summary>
    private const double FlatMarginShare = 0.05;

    private const long FlatMarginKb = 4 * 1024;

    private static readonly TimeSpan ReferenceMark = TimeSpan.FromMinutes(2);

    public static async Task<int> RunAsync(WatchCostOptions options)
    {
        var database = Path.Combine(Path.GetTempPath(), $"censusbench-watch-{Environment.ProcessId}.db");
        var pairs = options.Sockets / 2;
        using var holder = HolderProcess.Start(ChildPaths.LeakyService(options.Leaky), pairs, closeWait: 0, v6: 0);
        await Console.Error.WriteLineAsync($"holder PID {holder.Pid} holds {holder.Sockets} TCP sockets; watching it every {options.Interval} for {options.Minutes} min");

        var samples = new List<(TimeSpan At, ProcStat Stat)>();
        var run = TimeSpan.FromMinutes(options.Minutes);
        using (var watcher = new WatcherProcess(options.LeakHoundDll, holder.Pid, options.Interval, database))
        {
            var clock = Stopwatch.StartNew();
            try
            {
                while (clock.Elapsed < run)
                {
                    var next = TimeSpan.FromTicks(options.SampleEvery.Ticks * (samples.Count + 1));
                    await Task.Delay(Min(next, run) - clock.Elapsed is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                    if (watcher.HasExited || ProcStat.Read(watcher.Pid) is not { } stat)
                    {
                        throw new LeakHoundException(
                            $"the watcher exited early (code {(watcher.HasExited ? watcher.ExitCode : -1)}) after {clock.Elapsed.TotalSeconds:F0} s: {watcher.Tail()}");
                    }

                    samples.Add((clock.Elapsed, stat));
                    await Console.Error.WriteLineAsync(
                        string.Create(CultureInfo.InvariantCulture, $"  t={clock.Elapsed.TotalSeconds:F0}s cpu={stat.CpuSeconds:F2}s rss={stat.RssKb / 1024.0:F1}MB"));
                }
            }
            finally
            {
                var code = watcher.Stop();
                await Console.Error.WriteLineAsync($"watcher stopped (exit code {code?.ToString(CultureInfo.InvariantCulture) ?? "none: killed"})");
            }
        }

        Console.Out.Write(Report(samples, options, holder.Sockets, DatabaseBytes(database)));
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
        {
            File.Delete(file);
        }

        return 0;
    }

    private static string Report(List<(TimeSpan At, ProcStat Stat)> samples, WatchCostOptions options, int sockets, long databaseBytes)
    {
        var c = CultureInfo.InvariantCulture;
        var first = samples[0];
        var last = samples[^1];
        var middle = samples[samples.Count / 2];
        var hasMark = last.At >= ReferenceMark + options.SampleEvery;
        var reference = hasMark ? samples.First(s => s.At >= ReferenceMark) : middle;
        var margin = Math.Max(FlatMarginKb, (long)(reference.Stat.RssKb * FlatMarginShare));
        var flat = Math.Abs(last.Stat.RssKb - reference.Stat.RssKb) <= margin;
        var steady = samples.Count > 1
            ? (last.Stat.CpuSeconds - first.Stat.CpuSeconds) / (last.At - first.At).TotalSeconds * 100
            : double.NaN;

        var text = new StringBuilder();
        text.AppendLine(c, $"`leakhound watch --interval {options.Interval}` on a holder with {sockets} TCP sockets for {last.At.TotalMinutes:F1} min " +
                           $"({Environment.ProcessorCount} CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}).");
        text.AppendLine();
        text.AppendLine("| Measure | Value |");
        text.AppendLine("|---|---:|");
        text.AppendLine(c, $"| CPU, % of one core, whole run (incl. start-up) | {last.Stat.CpuSeconds / last.At.TotalSeconds * 100:F2} |");
        text.AppendLine(c, $"| CPU, % of one core, after the first sample (t={first.At.TotalSeconds:F0}s) | {steady:F2} |");
        text.AppendLine(c, $"| RSS at t={first.At.TotalSeconds:F0}s (start) | {Mb(first.Stat.RssKb)} |");
        text.AppendLine(c, $"| RSS at t={middle.At.TotalSeconds:F0}s (middle) | {Mb(middle.Stat.RssKb)} |");
        if (hasMark)
        {
            text.AppendLine(c, $"| RSS at t={reference.At.TotalSeconds:F0}s (2-minute mark) | {Mb(reference.Stat.RssKb)} |");
        }

        text.AppendLine(c, $"| RSS at t={last.At.TotalSeconds:F0}s (end) | {Mb(last.Stat.RssKb)} |");
        text.AppendLine(c, $"| Database at end | {databaseBytes / 1024.0:F0} KB |");
        text.AppendLine();
        text.AppendLine(c, $"- RSS {(flat ? "flat" : "NOT flat")}: end {Mb(last.Stat.RssKb)} vs {(hasMark ? "2-minute mark" : "middle (run shorter than 2 min + one sample)")} " +
                           $"{Mb(reference.Stat.RssKb)}, margin ±{Mb(margin)} (max of 5% and 4 MB).");
        return text.ToString();
    }

    private static string Mb(long kb) => string.Create(CultureInfo.InvariantCulture, $"{kb / 1024.0:F1} MB");

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static long DatabaseBytes(string database) =>
        new[] { database, database + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
}
