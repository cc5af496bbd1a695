namespace LeakyService;

/// <summary>Options of "holder": how many loopback pairs, how many left in CLOSE_WAIT, how many over IPv6; --tag marks the command line.</summary>
internal sealed record HolderOptions(int Pairs, int CloseWait, int V6)
{
    public static HolderOptions Parse(ArgReader args)
    {
        var pairs = args.Int("--pairs", 9000, 0, 1_000_000);
        var closeWait = args.Int("--close-wait", 2000, 0, 1_000_000);
        var v6 = args.Int("--v6", 0, 0, 1_000_000);
        _ = args.String("--tag"); // Free text that only marks the command line, so "watch --name TAG" finds this process.
        args.EnsureAllUsed();
        if (closeWait > pairs)
        {
            throw new UsageError($"--close-wait ({closeWait}) cannot exceed --pairs ({pairs}).");
        }

        return v6 <= pairs ? new HolderOptions(pairs, closeWait, v6) : throw new UsageError($"--v6 ({v6}) cannot exceed --pairs ({pairs}).");
    }
}
