using LeakHound;

namespace CensusBench;

/// <summary>Options of "watch-cost".</summary>
internal sealed record WatchCostOptions(
    string LeakHoundDll, double Minutes, string Interval, int Sockets, TimeSpan SampleEvery, string? Leaky)
{
    public static WatchCostOptions Parse(BenchArgs args)
    {
        var dll = args.String("--leakhound") ?? throw new UsageException("watch-cost needs --leakhound PATH/leakhound.dll.");
        var options = new WatchCostOptions(
            dll,
            args.Double("--minutes", 10, 0.1, 24 * 60),
            args.Duration("--interval", "1s").Text,
            args.Int("--sockets", 1000, 2, 200_000),
            args.Duration("--sample-every", "10s").Span,
            args.String("--leaky"));
        args.EnsureAllUsed();
        return File.Exists(dll) ? options : throw new UsageException($"--leakhound: no file at {dll}.");
    }
}
