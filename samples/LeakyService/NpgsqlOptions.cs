namespace LeakyService;

/// <summary>Options of "npgsql": which server, how often to borrow a connection, and how often never to give it back.</summary>
internal sealed record NpgsqlOptions(string ConnectionString, double Rate, int LeakEvery, int MaxPool, TimeSpan Duration)
{
    public static NpgsqlOptions Parse(ArgReader args)
    {
        var options = new NpgsqlOptions(
            args.String("--conn") ?? throw new UsageError("npgsql needs --conn \"Host=127.0.0.1;Port=5432;Username=postgres\"."),
            args.Double("--rate", 20, 0.01, 10_000),
            args.Int("--leak-every", 0, 0, int.MaxValue),
            args.Int("--max-pool", 50, 1, 10_000),
            args.Duration("--duration", TimeSpan.Zero));
        args.EnsureAllUsed();
        return options;
    }
}
