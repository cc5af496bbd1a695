namespace LeakHound.Sources.Process.Linux;

/// <summary>Which socket table a dump or a /proc/net file fills.</summary>
internal enum SocketKind
{
    Tcp,
    Udp,
    Unix,
}

/// <summary>
/// Sockets of one network namespace by inode, as filled by a netlink dump or /proc/PID/net.
/// With a filter it keeps only the inodes of interest, so a census of one process does not hold
/// every socket of a busy host.
/// </summary>
internal sealed class SocketTable
{
    private readonly HashSet<ulong>? _only;

    public SocketTable(HashSet<ulong>? only = null) => _only = only;

    public Dictionary<ulong, InetSocket> Tcp { get; } = [];

    public HashSet<ulong> Udp { get; } = [];

    public HashSet<ulong> Unix { get; } = [];

    /// <summary>Lines of /proc/net files that could not be parsed and were skipped.</summary>
    public int SkippedLines { get; private set; }

    /// <summary>The first such line, for diagnostics.</summary>
    public string? FirstSkippedLine { get; private set; }

    // Inode 0 is a socket no file refers to (TIME_WAIT, request sockets): no process owns it.
    private bool Wants(ulong inode) => inode != 0 && (_only is null || _only.Contains(inode));

    public void Add(SocketKind kind, in InetSocket socket)
    {
        if (!Wants(socket.Inode))
        {
            return;
        }

        if (kind == SocketKind.Tcp)
        {
            Tcp[socket.Inode] = socket;
        }
        else
        {
            Udp.Add(socket.Inode);
        }
    }

    public void AddUnix(ulong inode)
    {
        if (Wants(inode))
        {
            Unix.Add(inode);
        }
    }

    public void Skipped(string line)
    {
        SkippedLines++;
        FirstSkippedLine ??= line;
    }
}
