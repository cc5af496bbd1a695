using LeakHound.Samples;

namespace LeakHound.Sources.Process;

/// <summary>How the TCP sockets of a census were found.</summary>
public enum CensusMethod
{
    /// <summary>Kernel socket dump over NETLINK_SOCK_DIAG joined with /proc/PID/fd (as ss does).</summary>
    Netlink,

    /// <summary>/proc/PID/net/tcp and tcp6 joined with /proc/PID/fd, when netlink is refused.</summary>
    ProcNet,
}

/// <summary>One observation of one process's sockets and resources.</summary>
public sealed record ProcessCensus
{
    public required int Pid { get; init; }

    /// <summary>TCP sockets (IPv4 and IPv6) per state. States with no socket may be absent.</summary>
    public required IReadOnlyDictionary<TcpState, int> TcpByState { get; init; }

    /// <summary>TCP sockets per remote peer ("127.0.0.1:8080", "[::1]:5432") and state. Listening sockets are not counted per peer.</summary>
    public required IReadOnlyDictionary<(string Peer, TcpState State), int> TcpByPeer { get; init; }

    public required int UdpSockets { get; init; }

    public required int UnixSockets { get; init; }

    public required int Fds { get; init; }

    /// <summary>Soft limit on open files; null when unlimited or unreadable.</summary>
    public long? FdLimit { get; init; }

    public required long RssBytes { get; init; }

    public required int Threads { get; init; }

    public required CensusMethod Method { get; init; }

    private static readonly Dictionary<TcpState, SeriesKey> StateKeys =
        TcpStates.All.ToDictionary(s => s, s => SeriesKey.Of(MetricNames.TcpConnections, (MetricNames.StateLabel, s.Label())));

    public int TcpTotal => TcpByState.Values.Sum();

    public int TcpIn(TcpState state) => TcpByState.TryGetValue(state, out var n) ? n : 0;

    /// <summary>How many peers get a series of their own; the rest are summed per state as <see cref="OtherPeers"/>.</summary>
    public const int TopPeers = 50;

    /// <summary>The peer label of the connections to every peer beyond the top ones.</summary>
    public const string OtherPeers = "other";

    /// <summary>
    /// Per-peer samples for the <see cref="TopPeers"/> peers holding the most connections, plus one <c>other</c>
    /// series per state. A server with ten thousand clients would otherwise write ten thousand series a round,
    /// and the downstream that a leak points to is by then among the top ones anyway.
    /// </summary>
    private IEnumerable<Sample> PeerSamples()
    {
        var top = TcpByPeer
            .GroupBy(kv => kv.Key.Peer, StringComparer.Ordinal)
            .Select(g => (Peer: g.Key, Total: g.Sum(kv => kv.Value)))
            .OrderByDescending(p => p.Total).ThenBy(p => p.Peer, StringComparer.Ordinal)
            .Take(TopPeers)
            .Select(p => p.Peer)
            .ToHashSet(StringComparer.Ordinal);
        var other = new SortedDictionary<TcpState, int>();
        foreach (var ((peer, state), count) in TcpByPeer.OrderBy(kv => kv.Key.Peer, StringComparer.Ordinal).ThenBy(kv => kv.Key.State))
        {
            if (top.Contains(peer))
            {
                yield return new Sample(PeerKey(peer, state), count);
            }
            else
            {
                other[state] = other.GetValueOrDefault(state) + count;
            }
        }

        foreach (var (state, count) in other)
        {
            yield return new Sample(PeerKey(OtherPeers, state), count);
        }
    }

    private static SeriesKey PeerKey(string peer, TcpState state) =>
        SeriesKey.Of(MetricNames.TcpPeerConnections, (MetricNames.PeerLabel, peer), (MetricNames.StateLabel, state.Label()));

    /// <summary>The census as samples, in the shared metric names.</summary>
    public IEnumerable<Sample> ToSamples()
    {
        // Every state every round, zeros included, so a state that empties is seen to drop rather than to stop.
        foreach (var state in TcpStates.All)
        {
            yield return new Sample(StateKeys[state], TcpIn(state));
        }

        foreach (var sample in PeerSamples())
        {
            yield return sample;
        }

        yield return new Sample(SeriesKey.Of(MetricNames.UdpSockets), UdpSockets);
        yield return new Sample(SeriesKey.Of(MetricNames.UnixSockets), UnixSockets);
        yield return new Sample(SeriesKey.Of(MetricNames.Fds), Fds);
        if (FdLimit is { } limit)
        {
            yield return new Sample(SeriesKey.Of(MetricNames.FdLimit), limit);
        }

        yield return new Sample(SeriesKey.Of(MetricNames.RssBytes), RssBytes);
        yield return new Sample(SeriesKey.Of(MetricNames.Threads), Threads);
    }
}

/// <summary>A process as <c>leakhound ps</c> ranks it.</summary>
public sealed record ProcessOverview(
    int Pid,
    string Name,
    string CommandLine,
    int TcpSockets,
    int CloseWait,
    int Fds,
    long? FdLimit);

/// <summary>A process found by name or command line.</summary>
public sealed record ProcessIdentity(int Pid, string Name, string CommandLine, DateTimeOffset? StartTime);
