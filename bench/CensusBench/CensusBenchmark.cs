using System.Diagnostics;
using System.Globalization;
using System.Text;
using LeakHound;
using LeakHound.Samples;
using LeakHound.Sources.Process;

namespace CensusBench;

/// <summary>
/// Times one census round against lsof and ss on the same process, interleaved (the order rotates every
/// round so none always runs on a warm or cold cache), and checks that the census counts what ss counts.
/// </summary>
internal static class CensusBenchmark
{
    private const double LsofTarget = 0.15;
    private const double SsTarget = 0.5;

    public static async Task<int> RunAsync(CensusOptions options)
    {
        foreach (var tool in new[] { "lsof", "ss", "bash" })
        {
            if (!Command.Exists(tool))
            {
                throw new LeakHoundException($"{tool} is not installed (apt-get install lsof iproute2).");
            }
        }

        using var holder = options.Pid is null
            ? HolderProcess.Start(ChildPaths.LeakyService(options.Leaky), options.Pairs, options.CloseWait, options.V6)
            : null;
        var pid = holder?.Pid ?? options.Pid!.Value;
        await Console.Error.WriteLineAsync(holder is null
            ? $"measuring PID {pid}"
            : $"holder PID {pid} holds {holder.Sockets} TCP sockets ({options.Pairs} pairs, {options.CloseWait} in CLOSE_WAIT, {options.V6} over ::1)");

        var census = TryCensus(pid, out var censusNote);
        var probes = new List<IProbe> { new LsofProbe(numeric: false), new LsofProbe(numeric: true), new SsProbe() };
        if (census is not null)
        {
            probes.Insert(0, census);
        }

        var timings = probes.ToDictionary(p => p, _ => new List<double>());
        var counts = probes.ToDictionary(p => p, _ => 0);
        for (var round = 0; round < options.Warmup + options.Runs; round++)
        {
            for (var k = 0; k < probes.Count; k++)
            {
                var probe = probes[(round + k) % probes.Count];
                var clock = Stopwatch.StartNew();
                counts[probe] = probe.CountTcp(pid);
                var ms = clock.Elapsed.TotalMilliseconds;
                if (round >= options.Warmup)
                {
                    timings[probe].Add(ms);
                }
            }

            if ((round + 1) % 10 == 0)
            {
                await Console.Error.WriteLineAsync($"  round {round + 1}/{options.Warmup + options.Runs}");
            }
        }

        var stats = probes.ToDictionary(p => p, p => Stats.Of(timings[p]));
        Console.Out.Write(Table(probes, stats, counts, census, options, holder?.Sockets));
        var exact = census is null || CheckExact(pid, census);
        if (censusNote is not null)
        {
            Console.Out.WriteLine();
            Console.Out.WriteLine($"> {censusNote}");
        }

        return exact ? 0 : 1;
    }

    /// <summary>The engine's census if it works in this build; otherwise null and why.</summary>
    private static CensusProbe? TryCensus(int pid, out string? note)
    {
        try
        {
            var probe = new CensusProbe(ProcessInspectors.ForCurrentOs());
            probe.CountTcp(pid);
            note = null;
            return probe;
        }
        catch (NotImplementedException)
        {
            note = "Census not measured: the engine's process inspector is still a stub in this build " +
                   "(LinuxProcessInspector.Take throws NotImplementedException). Merge the census work and run again.";
        }
        catch (LeakHoundException e)
        {
            note = $"Census not measured: {e.Message}";
        }

        Console.Error.WriteLine(note);
        return null;
    }

    private static string Table(
        List<IProbe> probes, Dictionary<IProbe, Stats> stats, Dictionary<IProbe, int> counts, CensusProbe? census, CensusOptions options, int? held)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var load = held is { } n ? string.Create(c, $"; holder with {n} TCP sockets.") : ".";
        text.AppendLine(c, $"Host: {Environment.ProcessorCount} CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; " +
                           $"{options.Runs} timed rounds after {options.Warmup} warm-up, interleaved{load}");
        text.AppendLine();
        text.AppendLine("| Method | TCP sockets seen | median ms | p90 ms | min ms | census ÷ this (median) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        var censusMedian = census is null ? double.NaN : stats[census].Median;
        foreach (var probe in probes)
        {
            var s = stats[probe];
            var ratio = double.IsNaN(censusMedian) || probe == census ? "—" : (censusMedian / s.Median).ToString("F3", c);
            text.AppendLine(c, $"| {probe.Name} | {counts[probe]} | {s.Median:F1} | {s.P90:F1} | {s.Min:F1} | {ratio} |");
        }

        if (census is not null)
        {
            text.AppendLine();
            foreach (var probe in probes.OfType<LsofProbe>())
            {
                Verdict(text, stats[census].Median / stats[probe].Median, LsofTarget, probe.Name);
            }

            Verdict(text, stats[census].Median / stats[probes.OfType<SsProbe>().Single()].Median, SsTarget, "ss");
        }

        return text.ToString();
    }

    private static void Verdict(StringBuilder text, double ratio, double target, string against) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"- census ÷ {against} = {ratio:F3} (target ≤ {target:F2}): {(ratio <= target ? "met" : "NOT met")}");

    /// <summary>The census must count, per state, exactly what ss counts for the PID (the process is idle, so both see the same sockets).</summary>
    private static bool CheckExact(int pid, CensusProbe census)
    {
        var viaSs = SsProbe.ByState(pid);
        var taken = census.Last!;
        var states = viaSs.Keys.Union(taken.TcpByState.Keys).Order().ToList();
        var mismatches = states
            .Where(s => taken.TcpIn(s) != viaSs.GetValueOrDefault(s))
            .Select(s => $"{s.Label()}: census {taken.TcpIn(s)}, ss {viaSs.GetValueOrDefault(s)}")
            .ToList();
        Console.Out.WriteLine();
        Console.Out.WriteLine(mismatches.Count == 0
            ? $"- exactness: census TCP count equals ss for PID {pid} ({taken.TcpTotal}: " +
              string.Join(", ", states.Select(s => $"{s.Label()} {taken.TcpIn(s)}")) + ")"
            : $"- exactness: MISMATCH with ss for PID {pid}: {string.Join("; ", mismatches)}");
        return mismatches.Count == 0;
    }
}
