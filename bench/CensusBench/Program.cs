using CensusBench;
using LeakHound;
using LeakyService;

// Benchmarks of the process census: see bench/README.md.
try
{
    var reader = new ArgReader(args);
    return reader.Mode switch
    {
        "census" => await CensusBenchmark.RunAsync(CensusOptions.Parse(reader)),
        "watch-cost" => await WatchCostBenchmark.RunAsync(WatchCostOptions.Parse(reader)),
        "soak" => await SoakBenchmark.RunAsync(SoakOptions.Parse(reader)),
        "churn" => await ChurnTarget.RunAsync(reader.Int("--rate", 1000, 1, 100_000)),
        _ => throw new UsageException(reader.Mode is null ? "no mode given." : $"unknown mode '{reader.Mode}'."),
    };
}
catch (Exception e) when (e is UsageException or UsageError)
{
    await Console.Error.WriteLineAsync($"CensusBench: {e.Message} {BenchUsage.Text}");
    return 2;
}
catch (LeakHoundException e)
{
    await Console.Error.WriteLineAsync($"CensusBench: {e.Message}");
    return e.ExitCode;
}

internal static class BenchUsage
{
    public const string Text =
        "Usage: CensusBench census [--runs 30] [--warmup 3] [--pairs 9000] [--close-wait 2000] [--v6 0] [--pid PID] [--leaky PATH] | " +
        "watch-cost --leakhound PATH/leakhound.dll [--minutes 10] [--interval 1s] [--sockets 1000] [--sample-every 10s] [--leaky PATH] | " +
        "soak --leakhound PATH/leakhound.dll [--minutes 10] [--interval 100ms] [--rate 1000]";
}
