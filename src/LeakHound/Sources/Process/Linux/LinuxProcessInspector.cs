using System.Globalization;
using LeakHound.Samples;

namespace LeakHound.Sources.Process.Linux;

/// <summary>
/// The census on Linux: a process's fds from /proc/PID/fd joined by socket inode with the kernel's
/// socket dump over NETLINK_SOCK_DIAG (as ss does), or with /proc/PID/net when netlink is refused or
/// the process lives in another network namespace.
/// </summary>
internal sealed class LinuxProcessInspector : IProcessInspector
{
    private const int OverlapFdTableSize = 4096;
    private readonly bool _forceProcNet;

    // Once the kernel refused netlink it will keep refusing; asking again each round only costs time.
    private bool _netlinkRefused;

    public LinuxProcessInspector()
        : this(forceProcNet: false)
    {
    }

    /// <param name="forceProcNet">Always read /proc/PID/net, as after a netlink refusal (tests compare both).</param>
    internal LinuxProcessInspector(bool forceProcNet) => _forceProcNet = forceProcNet;

    public string? FallbackReason { get; private set; }

    public ProcessCensus Take(int pid)
    {
        if (pid <= 0)
        {
            throw new ProcessGoneException(pid);
        }

        var status = ProcStatus.Read(pid);
        var inodes = new HashSet<ulong>(Math.Min(status.FdTableSize, 1 << 20));

        // Reading a big fd table and dumping the kernel's sockets are the two costs of a census and do not
        // depend on each other: run them side by side and join on inode afterwards. A small table is read
        // inline: handing it to the thread pool would cost more than it saves, every round.
        var fdRead = status.FdTableSize >= OverlapFdTableSize
            ? Task.Run(() => ProcFdTable.Read(pid, inodes, status.FdTableSize))
            : Task.FromResult(ProcFdTable.Read(pid, inodes, status.FdTableSize));
        var table = new SocketTable();
        CensusMethod method;
        int fds;
        try
        {
            method = FillSockets(pid, table, tcpOnly: false);
        }
        finally
        {
            // Joined even when the dump failed, so the fd read's own error (process gone, no permission) wins.
            fds = fdRead.GetAwaiter().GetResult();
        }

        var fdLimit = ProcLimits.ReadOpenFiles(pid);

        // Everything above may have raced with the exit; a census of a dead process would report zeros.
        _ = ProcStatus.Read(pid);

        var byState = new Dictionary<TcpState, int>();
        var byEndpoint = new Dictionary<(InetEndpoint Peer, TcpState State), int>();
        var connected = new List<(ushort LocalPort, InetEndpoint Remote, TcpState State)>(inodes.Count);
        var listening = new HashSet<ushort>();
        int udp = 0, unix = 0;
        foreach (var inode in inodes)
        {
            if (table.Tcp.TryGetValue(inode, out var socket))
            {
                byState[socket.State] = byState.GetValueOrDefault(socket.State) + 1;
                if (socket.State == TcpState.Listen)
                {
                    listening.Add(socket.Local.Port);
                }
                else
                {
                    var key = (socket.Remote, socket.State);
                    byEndpoint[key] = byEndpoint.GetValueOrDefault(key) + 1;
                    // Inbound or not is known once every listener is seen: a plain list until then, no hashing.
                    connected.Add((socket.Local.Port, socket.Remote, socket.State));
                }
            }
            else if (table.Udp.Contains(inode))
            {
                udp++;
            }
            else if (table.Unix.Contains(inode))
            {
                unix++;
            }
        }

        // Thousands of connections usually share a few peers: format each distinct endpoint once.
        var names = new Dictionary<InetEndpoint, string>();
        var byPeer = new Dictionary<(string Peer, TcpState State), int>();
        foreach (var ((endpoint, state), count) in byEndpoint)
        {
            if (!names.TryGetValue(endpoint, out var name))
            {
                name = endpoint.ToString();
                names[endpoint] = name;
            }

            byPeer[(name, state)] = count;
        }

        return new ProcessCensus
        {
            Pid = pid,
            TcpByState = byState,
            TcpByPeer = byPeer,
            TcpInbound = listening.Count == 0 ? new Dictionary<(string, int, TcpState), int>() : Inbound(connected, listening),
            UdpSockets = udp,
            UnixSockets = unix,
            Fds = fds,
            FdLimit = fdLimit,
            RssBytes = status.RssBytes,
            Threads = status.Threads,
            Method = method,
        };
    }

    /// <summary>Accepted connections (their local port is one the process listens on), per client address, port and state.</summary>
    private static Dictionary<(string Client, int Port, TcpState State), int> Inbound(
        List<(ushort LocalPort, InetEndpoint Remote, TcpState State)> connected, HashSet<ushort> listening)
    {
        var byClient = new Dictionary<(ushort Port, InetEndpoint Client, TcpState State), int>();
        foreach (var (port, remote, state) in connected)
        {
            if (listening.Contains(port))
            {
                var key = (port, remote with { Port = 0 }, state);
                byClient[key] = byClient.GetValueOrDefault(key) + 1;
            }
        }

        var inbound = new Dictionary<(string Client, int Port, TcpState State), int>();
        var names = new Dictionary<InetEndpoint, string>();
        foreach (var ((port, client, state), count) in byClient)
        {
            if (!names.TryGetValue(client, out var name))
            {
                name = client.AddressText();
                names[client] = name;
            }

            inbound[(name, port, state)] = count;
        }

        return inbound;
    }

    public IReadOnlyList<ProcessIdentity> Find(string text)
    {
        var found = new List<ProcessIdentity>();
        var self = Environment.ProcessId;
        foreach (var pid in AllPids())
        {
            if (pid == self || ReadNames(pid) is not var (name, commandLine))
            {
                continue;
            }

            if (name.Contains(text, StringComparison.OrdinalIgnoreCase)
                || commandLine.Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                found.Add(new ProcessIdentity(pid, name, commandLine, ProcStat.ReadStartTime(pid)));
            }
        }

        return found;
    }

    public ProcessIdentity? Identify(int pid) =>
        pid > 0 && ReadNames(pid) is var (name, commandLine)
            ? new ProcessIdentity(pid, name, commandLine, ProcStat.ReadStartTime(pid))
            : null;

    public IReadOnlyList<ProcessOverview> Overview(out int notPermitted)
    {
        notPermitted = 0;
        // One TCP dump per network namespace, shared by all its processes: not one per process.
        var tables = new Dictionary<string, SocketTable>(StringComparer.Ordinal);
        SocketTable? own = null;
        var overview = new List<ProcessOverview>();
        var inodes = new HashSet<ulong>();
        foreach (var pid in AllPids())
        {
            try
            {
                inodes.Clear();
                var fds = ProcFdTable.Read(pid, inodes);
                if (ReadNames(pid) is not var (name, commandLine))
                {
                    continue;
                }

                var tcp = 0;
                var closeWait = 0;
                if (inodes.Count > 0)
                {
                    var table = TcpTableFor(pid, tables, ref own);
                    foreach (var inode in inodes)
                    {
                        if (table.Tcp.TryGetValue(inode, out var socket))
                        {
                            tcp++;
                            closeWait += socket.State == TcpState.CloseWait ? 1 : 0;
                        }
                    }
                }

                overview.Add(new ProcessOverview(pid, name, commandLine, tcp, closeWait, fds, ProcLimits.ReadOpenFiles(pid)));
            }
            catch (PermissionDeniedException)
            {
                // Another user's: ps shows what it may see and says how much it could not.
                notPermitted++;
            }
            catch (ProcessGoneException)
            {
                // Exited since it was listed.
            }
        }

        return overview;
    }

    private SocketTable TcpTableFor(int pid, Dictionary<string, SocketTable> tables, ref SocketTable? own)
    {
        var ns = NetNamespace.Of(pid);
        if (ns is null || ns == NetNamespace.OwnNamespace)
        {
            if (own is null)
            {
                own = new SocketTable();
                FillSockets(pid, own, tcpOnly: true);
            }

            return own;
        }

        if (!tables.TryGetValue(ns, out var table))
        {
            table = new SocketTable();
            ProcNetTables.ReadTcp(pid, table);
            tables[ns] = table;
        }

        return table;
    }

    private CensusMethod FillSockets(int pid, SocketTable table, bool tcpOnly)
    {
        if (_forceProcNet || _netlinkRefused)
        {
            return FillFromProcNet(pid, table, tcpOnly);
        }

        if (NetNamespace.IsForeign(pid))
        {
            Fallback($"PID {pid} is in another network namespace, which netlink sock_diag cannot see; reading /proc/{pid}/net/tcp instead");
            return FillFromProcNet(pid, table, tcpOnly);
        }

        SockDiagDump dump;
        try
        {
            dump = SockDiagDump.Open();
            try
            {
                dump.DumpTcp(table);
            }
            catch
            {
                dump.Dispose();
                throw;
            }
        }
        catch (SockDiagException e)
        {
            _netlinkRefused = true;
            Fallback($"{e.Message}; counting sockets from the tables under /proc/PID/net instead (the same counts, more slowly)");
            table.Tcp.Clear();
            return FillFromProcNet(pid, table, tcpOnly);
        }

        using (dump)
        {
            if (!tcpOnly)
            {
                // udp_diag and unix_diag are separate kernel modules: one missing costs only its own count.
                TryPart(pid, "udp", () => dump.DumpUdp(table), () => ProcNetTables.ReadUdp(pid, table), table.Udp);
                TryPart(pid, "unix", () => dump.DumpUnix(table), () => ProcNetTables.ReadUnix(pid, table), table.Unix);
            }
        }

        return CensusMethod.Netlink;
    }

    private void TryPart(int pid, string what, Action netlink, Action procNet, HashSet<ulong> part)
    {
        try
        {
            netlink();
        }
        catch (SockDiagException e)
        {
            Fallback($"{e.Message} for {what} sockets; reading /proc/{pid}/net/{what} instead");
            part.Clear();
            procNet();
        }
    }

    private static CensusMethod FillFromProcNet(int pid, SocketTable table, bool tcpOnly)
    {
        ProcNetTables.ReadTcp(pid, table);
        if (!tcpOnly)
        {
            ProcNetTables.ReadUdp(pid, table);
            ProcNetTables.ReadUnix(pid, table);
        }

        return CensusMethod.ProcNet;
    }

    private void Fallback(string reason) => FallbackReason ??= reason;

    private static IEnumerable<int> AllPids()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>The name (comm) and command line (NULs as spaces), or null when the process is gone or hidden.</summary>
    private static (string Name, string CommandLine)? ReadNames(int pid)
    {
        if (ProcFiles.TryReadText(pid, "comm") is not { } comm)
        {
            return null;
        }

        var name = comm.TrimEnd('\n');
        var commandLine = (ProcFiles.TryReadText(pid, "cmdline") ?? "").TrimEnd('\0').Replace('\0', ' ');

        // Kernel threads have no command line; ps shows their name in brackets.
        return (name, commandLine.Length > 0 ? commandLine : $"[{name}]");
    }
}
