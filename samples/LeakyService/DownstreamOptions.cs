namespace LeakyService;

/// <summary>
/// Options of "downstream": where to listen, how long an idle connection stays open, and optionally a URL it calls
/// with HttpClient (every response disposed) before answering each request: a service with a downstream of its own.
/// </summary>
internal sealed record DownstreamOptions(int Port, TimeSpan CloseAfter, Uri? Via = null)
{
    public static DownstreamOptions Parse(ArgReader args)
    {
        var options = new DownstreamOptions(
            args.Int("--port", 0, 0, 65535),
            args.Duration("--close-after", TimeSpan.FromSeconds(2)),
            args.String("--via") is { } via ? new Uri(via) : null);
        args.EnsureAllUsed();
        return options;
    }
}
