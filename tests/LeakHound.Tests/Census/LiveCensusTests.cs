using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LeakHound.Samples;
using LeakHound.Sources.Process;
using LeakHound.Sources.Process.Linux;

namespace LeakHound.Tests.Census;

[Collection(CensusCollection.Name)]
public sealed class LiveCensusTests
{
    private static readonly int Self = Environment.ProcessId;

    private static ProcessCensus Netlink(int pid)
    {
        var inspector = new LinuxProcessInspector();
        var census = inspector.Take(pid);
        Assert.Equal(CensusMethod.Netlink, census.Method);
        Assert.Null(inspector.FallbackReason);
        return census;
    }

    private static ProcessCensus ProcNet(int pid)
    {
        var census = new LinuxProcessInspector(forceProcNet: true).Take(pid);
        Assert.Equal(CensusMethod.ProcNet, census.Method);
        return census;
    }

    /// <summary>
    /// Polls until the kernel shows the expected CLOSE_WAIT count towards the test's own listeners (the FIN arrives
    /// asynchronously). Counted per peer: other tests in this process may hold sockets of their own.
    /// </summary>
    private static ProcessCensus WaitForCloseWait(LoopbackConnections connections, int expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var census = Netlink(Self);
            if (Towards(census, connections, TcpState.CloseWait) == expected || deadline.Elapsed > TimeSpan.FromSeconds(5))
            {
                return census;
            }

            Thread.Sleep(20);
        }
    }

    private static int Towards(ProcessCensus census, LoopbackConnections connections, TcpState state) =>
        new[] { connections.Endpoint4, connections.Endpoint6, connections.MappedEndpoint4 }
            .Sum(peer => census.TcpByPeer.TryGetValue((peer, state), out var n) ? n : 0);

    [Fact]
    public void Accepted_connections_are_grouped_by_client_and_listening_port_like_ss()
    {
        // 12 IPv4 clients (3 of whose accepted ends are closed again), 4 dual-mode clients to the IPv4 listener
        // (accepted as plain IPv4), 6 IPv6 clients.
        using var connections = new LoopbackConnections(v4Clients: 12, v6Clients: 6, mappedClients: 4, closedV4: 3, closedV6: 0);
        var port4 = ((IPEndPoint)connections.Listener4.LocalEndPoint!).Port;
        var port6 = ((IPEndPoint)connections.Listener6.LocalEndPoint!).Port;
        var fromSs = Ss.Lines(Self, "-tanpH")
            .Where(c => c[0] != "LISTEN" && (c[3].EndsWith($":{port4}", StringComparison.Ordinal) || c[3].EndsWith($":{port6}", StringComparison.Ordinal)))
            .GroupBy(c => (Client: c[4][..c[4].LastIndexOf(':')].Trim('[', ']'), Port: int.Parse(c[3][(c[3].LastIndexOf(':') + 1)..])))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(13, fromSs[("127.0.0.1", port4)]);
        Assert.Equal(6, fromSs[("::1", port6)]);

        foreach (var census in new[] { Netlink(Self), ProcNet(Self) })
        {
            var ours = census.TcpInbound.Where(kv => kv.Key.Port == port4 || kv.Key.Port == port6).ToList();
            Assert.Equal(fromSs.Count, ours.Count);
            foreach (var ((client, port, state), count) in ours)
            {
                Assert.Equal(TcpState.Established, state);
                Assert.Equal(fromSs[(client, port)], count);
            }

            Assert.Equal(13 + 6, ours.Sum(kv => kv.Value));
            Assert.Contains(census.ToSamples(), s => s.Key == SeriesKey.Of(MetricNames.TcpInboundConnections,
                (MetricNames.ClientLabel, "::1"), (MetricNames.PortLabel, port6.ToString()), (MetricNames.StateLabel, "established")) && s.Value == 6);
        }
    }

    [Fact]
    public void Counts_close_wait_sockets_like_ss()
    {
        using var connections = new LoopbackConnections(v4Clients: 20, v6Clients: 10, mappedClients: 3, closedV4: 5, closedV6: 2);

        var netlink = WaitForCloseWait(connections, 7);
        var procNet = ProcNet(Self);
        var ss = Ss.Tcp(Self);

        Assert.Equal(7, Towards(netlink, connections, TcpState.CloseWait));
        Assert.Equal(15 + 8 + 3, Towards(netlink, connections, TcpState.Established));
        Assert.True(netlink.TcpIn(TcpState.Listen) >= 2);

        Assert.Equal(Sorted(netlink.TcpByState), Sorted(procNet.TcpByState));
        Assert.Equal(Sorted(netlink.TcpByState), Sorted(ss.ByState));
        Assert.Equal(Sorted(netlink.TcpByPeer), Sorted(procNet.TcpByPeer));
        Assert.Equal(Sorted(netlink.TcpByPeer), Sorted(ss.ByPeer));
    }

    [Fact]
    public void Counts_per_peer_name_the_listeners_endpoint()
    {
        using var connections = new LoopbackConnections(v4Clients: 6, v6Clients: 4, mappedClients: 2, closedV4: 2, closedV6: 1);

        var census = WaitForCloseWait(connections, 3);

        Assert.Equal(4, census.TcpByPeer[(connections.Endpoint4, TcpState.Established)]);
        Assert.Equal(2, census.TcpByPeer[(connections.Endpoint4, TcpState.CloseWait)]);
        Assert.Equal(3, census.TcpByPeer[(connections.Endpoint6, TcpState.Established)]);
        Assert.Equal(1, census.TcpByPeer[(connections.Endpoint6, TcpState.CloseWait)]);
        Assert.Equal(2, census.TcpByPeer[(connections.MappedEndpoint4, TcpState.Established)]);
        Assert.DoesNotContain(census.TcpByPeer.Keys, key => key.State == TcpState.Listen);
    }

    [Fact]
    public void Counts_unix_and_udp_sockets_like_ss()
    {
        var before = Netlink(Self);
        var path = Path.Combine(Path.GetTempPath(), $"leakhound-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        using var accepted = listener.Accept();
        using var udp4 = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp4.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var udp6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        udp6.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        try
        {
            var netlink = Netlink(Self);
            var procNet = ProcNet(Self);

            Assert.Equal(before.UnixSockets + 3, netlink.UnixSockets);
            Assert.Equal(before.UdpSockets + 2, netlink.UdpSockets);
            Assert.Equal(netlink.UnixSockets, procNet.UnixSockets);
            Assert.Equal(netlink.UdpSockets, procNet.UdpSockets);
            Assert.Equal(Ss.Lines(Self, "-xapH").Count, netlink.UnixSockets);
            Assert.Equal(Ss.Lines(Self, "-uapH").Count, netlink.UdpSockets);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Fd_count_grows_by_the_sockets_opened()
    {
        // Warm up so that the runtime's own lazily opened fds are not counted as ours.
        using (new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
        }

        int before = 0, after = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            before = Netlink(Self).Fds;
            var sockets = Enumerable.Range(0, 5).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)).ToList();
            after = Netlink(Self).Fds;
            sockets.ForEach(s => s.Dispose());
            if (after - before == 5)
            {
                break;
            }
        }

        Assert.Equal(5, after - before);
        Assert.Equal(Directory.GetFiles($"/proc/{Self}/fd").Length, Netlink(Self).Fds, tolerance: 2);
    }

    [Fact]
    public void Fd_limit_rss_and_threads_match_the_process()
    {
        var census = Netlink(Self);
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("ulimit -Sn");
        using var shell = System.Diagnostics.Process.Start(start)!;
        var limit = shell.StandardOutput.ReadToEnd().Trim();
        shell.WaitForExit();

        Assert.Equal(limit == "unlimited" ? null : long.Parse(limit, System.Globalization.CultureInfo.InvariantCulture), census.FdLimit);
        Assert.InRange(census.RssBytes, 1L << 20, Environment.WorkingSet * 4);
        Assert.InRange(census.Threads, 2, 10_000);
        Assert.True(census.Fds > 3);
    }

    [Fact]
    public void Process_in_another_network_namespace_is_read_from_proc_net()
    {
        var marker = $"30.{Random.Shared.Next(100_000, 999_999)}";
        var start = new ProcessStartInfo("unshare") { RedirectStandardError = true };
        foreach (var arg in new[] { "-n", "sleep", marker })
        {
            start.ArgumentList.Add(arg);
        }

        using var child = System.Diagnostics.Process.Start(start)!;
        try
        {
            var inspector = new LinuxProcessInspector();
            var deadline = Stopwatch.StartNew();
            ProcessIdentity? sleeper = null;
            while (sleeper is null && deadline.Elapsed < TimeSpan.FromSeconds(5) && !child.HasExited)
            {
                sleeper = inspector.Find(marker).FirstOrDefault(p => p.Name == "sleep");
                Thread.Sleep(20);
            }

            if (sleeper is null)
            {
                Assert.Skip($"unshare -n is not permitted here: {child.StandardError.ReadToEnd()}");
            }

            var census = inspector.Take(sleeper.Pid);

            Assert.Equal(CensusMethod.ProcNet, census.Method);
            Assert.Contains("network namespace", inspector.FallbackReason, StringComparison.Ordinal);
            Assert.Equal(0, census.TcpTotal);
        }
        finally
        {
            child.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void Overview_counts_this_process_from_one_dump()
    {
        using var connections = new LoopbackConnections(v4Clients: 4, v6Clients: 0, mappedClients: 0, closedV4: 3, closedV6: 0);
        var census = WaitForCloseWait(connections, 3);
        var start = new ProcessStartInfo("sleep");
        start.ArgumentList.Add("30");
        using var child = System.Diagnostics.Process.Start(start)!;

        IReadOnlyList<ProcessOverview> overview;
        try
        {
            overview = new LinuxProcessInspector().Overview(out _);
        }
        finally
        {
            child.Kill();
        }

        var self = Assert.Single(overview, p => p.Pid == Self);
        Assert.Equal(census.TcpTotal, self.TcpSockets);
        Assert.Equal(3, self.CloseWait);
        Assert.Equal(census.FdLimit, self.FdLimit);
        Assert.InRange(self.Fds, census.Fds - 5, census.Fds + 5);
        var sleeper = Assert.Single(overview, p => p.Pid == child.Id);
        Assert.Equal("sleep 30", sleeper.CommandLine);
        Assert.Equal(0, sleeper.TcpSockets);
    }

    private static List<KeyValuePair<TKey, int>> Sorted<TKey>(IReadOnlyDictionary<TKey, int> counts) =>
        [.. counts.OrderBy(kv => kv.Key?.ToString(), StringComparer.Ordinal)];
}
