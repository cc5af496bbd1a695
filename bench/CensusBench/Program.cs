using CensusBench;
using LeakHound;

// Benchmarks of the process census: see bench/README.md.
try
{
    var reader = new BenchArgs(args);
    return reader.Mode switch
    {
        "census" => await CensusBenchmark.RunAsync(CensusOptions.Parse(reader)),
        "watch-cost" => await WatchCostBenchmark.RunAsync(WatchCostOptions.Parse(reader)),
        _ => throw new UsageException(reader.Mode is null ? "no mode given." : $"unknown mode '{reader.Mode}'."),
    };
}
catch (UsageException e)
{
    await Console.Error.WriteLineAsync($"CensusBench: {e.Message} {BenchArgs.Usage}");
    return 2;
}
catch (LeakHoundException e)
{
    await Console.Error.WriteLineAsync($"CensusBench: {e.Message}");
    return e.ExitCode;
}
