namespace LeakyService;

/// <summary>Options of "server": how many clients a second connect and hang up, and whether the leak is fixed.</summary>
internal sealed record ServerOptions(double Rate, bool Fixed, TimeSpan Duration)
{
    public static ServerOptions Parse(ArgReader args)
    {
        var options = new ServerOptions(
            args.Double("--rate", 20, 0.01, 10_000),
            args.Flag("--fixed"),
            args.Duration("--duration", TimeSpan.Zero));
        args.EnsureAllUsed();
        return options;
    }
}
