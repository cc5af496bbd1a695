namespace LeakyService;

/// <summary>Options of "downstream": where to listen and how long an idle connection stays open.</summary>
internal sealed record DownstreamOptions(int Port, TimeSpan CloseAfter)
{
    public static DownstreamOptions Parse(ArgReader args)
    {
        var options = new DownstreamOptions(
            args.Int("--port", 0, 0, 65535),
            args.Duration("--close-after", TimeSpan.FromSeconds(2)));
        args.EnsureAllUsed();
        return options;
    }
}
