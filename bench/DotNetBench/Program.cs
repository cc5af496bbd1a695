using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LeakHound.Sources.DotNet;

// `watch --dotnet` cost: (1) time from attach to the first reading, over N fresh sessions; (2) the target's request
// throughput under wrk, with and without `leakhound watch --dotnet PID --interval 1s` attached, interleaved.
// The target is LeakyService downstream --via: every request it serves calls another downstream through HttpClient,
// so the instruments LeakHound reads are busy. See bench/RESULTS.md.
var leakhound = Option("--leakhound", "src/LeakHound.Cli/bin/Release/net10.0/leakhound.dll");
var attaches = int.Parse(Option("--attaches", "10"), CultureInfo.InvariantCulture);
var pairs = int.Parse(Option("--pairs", "5"), CultureInfo.InvariantCulture);
var seconds = int.Parse(Option("--seconds", "15"), CultureInfo.InvariantCulture);
var connections = int.Parse(Option("--connections", "16"), CultureInfo.InvariantCulture);

var leaky = Path.Combine(AppContext.BaseDirectory, "LeakyService.dll");
using var inner = Start("dotnet", leaky, "downstream", "--port", "0", "--close-after", "60s");
var innerAddress = (await inner.StandardOutput.ReadLineAsync())!["listening on ".Length..].Trim();
using var target = Start("dotnet", leaky, "downstream", "--port", "0", "--close-after", "60s", "--via", $"http://{innerAddress}/");
var targetAddress = (await target.StandardOutput.ReadLineAsync())!["listening on ".Length..].Trim();
Console.Error.WriteLine($"DotNetBench: target PID {target.Id} on {targetAddress}, calling {innerAddress}");
await Wrk(targetAddress, 5, connections); // warm-up: JIT, connection pool

var firstReading = new List<double>();
for (var i = 0; i < attaches; i++)
{
    var clock = Stopwatch.StartNew();
    using var session = DotNetSession.Start(target.Id, TimeSpan.FromSeconds(1));
    await session.WaitForIntervalsAsync(1, TimeSpan.FromSeconds(10), CancellationToken.None);
    firstReading.Add(clock.Elapsed.TotalMilliseconds);
}

var without = new List<double>();
var with = new List<double>();
for (var i = 0; i < pairs; i++)
{
    without.Add(await Wrk(targetAddress, seconds, connections));
    using var watch = Start("dotnet", leakhound, "watch", "--dotnet", target.Id.ToString(CultureInfo.InvariantCulture), "--interval", "1s",
        "--out", Path.Combine(Path.GetTempPath(), $"dotnetbench-{Guid.NewGuid():N}.csv"));
    _ = watch.StandardOutput.ReadToEndAsync();
    await Task.Delay(3000); // attached and reading before the load starts
    with.Add(await Wrk(targetAddress, seconds, connections));
    watch.Kill();
    await watch.WaitForExitAsync();
}

Console.WriteLine($"time to first reading after attach, ms ({attaches} attaches): median {Median(firstReading):0} · p90 {Percentile(firstReading, 0.9):0} · max {firstReading.Max():0}");
Console.WriteLine($"requests/s without LeakHound ({pairs} runs of {seconds}s, {connections} connections): median {Median(without):0} · all {string.Join(" ", without.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))}");
Console.WriteLine($"requests/s with watch --dotnet --interval 1s: median {Median(with):0} · all {string.Join(" ", with.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))}");
Console.WriteLine($"loss (median vs median): {(1 - (Median(with) / Median(without))) * 100:0.00}%; paired runs: {string.Join(" ", without.Zip(with, (a, b) => ((1 - (b / a)) * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%"))}");
target.Kill();
inner.Kill();
return 0;

static async Task<double> Wrk(string address, int seconds, int connections)
{
    using var wrk = Start("wrk", "-t2", $"-c{connections}", $"-d{seconds}s", $"http://{address}/");
    var output = await wrk.StandardOutput.ReadToEndAsync();
    await wrk.WaitForExitAsync();
    var match = Regex.Match(output, @"Requests/sec:\s+([0-9.]+)");
    return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : throw new InvalidOperationException("wrk: " + output);
}

static Process Start(string program, params string[] args)
{
    var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in args)
    {
        start.ArgumentList.Add(a);
    }

    var process = Process.Start(start)!;
    _ = process.StandardError.ReadToEndAsync();
    return process;
}

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];
}

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
