using LeakyService;
namespace CensusBench;

/// <summary>Options of "census".</summary>
internal sealed record CensusOptions(int Runs, int Warmup, int Pairs, int CloseWait, int V6, int? Pid, string? Leaky)
{
    public static CensusOptions Parse(ArgReader args)
    {
        var pidText = args.String("--pid");
        var options = new CensusOptions(
            args.Int("--runs", 30, 1, 100_000),
            args.Int("--warmup", 3, 0, 1000),
            args.Int("--pairs", 9000, 1, 500_000),
            args.Int("--close-wait", 2000, 0, 500_000),
            args.Int("--v6", 0, 0, 500_000),
            pidText is null ? null : args.Int("--pid", 0, 1, int.MaxValue),
            args.String("--leaky"));
        args.EnsureAllUsed();
        return options;
    }
}
