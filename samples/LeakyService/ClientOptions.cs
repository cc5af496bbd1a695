namespace LeakyService;

/// <summary>Options of "client": whom to call, how often, and whether the leak is fixed.</summary>
internal sealed record ClientOptions(Uri Target, double Rate, int LeakEvery, bool Fixed, TimeSpan Duration)
{
    public static ClientOptions Parse(ArgReader args)
    {
        var target = args.String("--target") ?? throw new UsageError("client needs --target http://127.0.0.1:PORT.");
        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new UsageError($"--target must be an http:// URL, not '{target}'.");
        }

        if (!uri.IsLoopback || uri.Host is not ("127.0.0.1" or "[::1]"))
        {
            throw new UsageError($"--target must be a loopback address (127.0.0.1 or [::1]), not '{uri.Host}'.");
        }

        var options = new ClientOptions(
            uri,
            args.Double("--rate", 20, 0.01, 10_000),
            args.Int("--leak-every", 1, 1, int.MaxValue),
            args.Flag("--fixed"),
            args.Duration("--duration", TimeSpan.Zero));
        args.EnsureAllUsed();
        return options;
    }
}
