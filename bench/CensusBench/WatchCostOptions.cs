using LeakHound;
using LeakyService;

namespace CensusBench;

/// <summary>Options of "watch-cost".</summary>
internal sealed record WatchCostOptions(
    string LeakHoundDll, double Minutes, string Interval, int Sockets, TimeSpan SampleEvery, string? Leaky)
{
    public static WatchCostOptions Parse(ArgReader args)
    {
        var dll = args.String("--leakhound") ?? throw new UsageException("watch-cost needs --leakhound PATH/leakhound.dll.");
        var options = new WatchCostOptions(
            dll,
            args.Double("--minutes", 10, 0.1, 24 * 60),
            Checked(args.String("--interval") ?? "1s"),
            args.Int("--sockets", 1000, 2, 200_000),
            args.Duration("--sample-every", TimeSpan.FromSeconds(10)),
            args.String("--leaky"));
        args.EnsureAllUsed();
        return File.Exists(dll) ? options : throw new UsageException($"--leakhound: no file at {dll}.");
    }

    // Passed on to `leakhound watch` as text; checked here with the tool's own parser so a typo fails early.
    private static string Checked(string interval)
    {
        _ = LeakHound.Duration.Parse(interval, "interval");
        return interval;
    }
}
