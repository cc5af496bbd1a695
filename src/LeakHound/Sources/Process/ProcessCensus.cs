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

    /// <summary>
    /// The accepted connections among them (local port = a port the process listens on), per client address
    /// ("10.0.0.5", "::ffff:127.0.0.1"), local port and state: the same sockets as in <see cref="TcpByPeer"/>, grouped
    /// the way a server's leak is read.
    /// </summary>
    public IReadOnlyDictionary<(string Client, int Port, TcpState State), int> TcpInbound { get; init; } =
        new Dictionary<(string Client, int Port, TcpState State), int>();

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

    /// <summary>How many peers (clients) get a series of their own; the rest are summed per state as <see cref="OtherPeers"/>.</summary>
    public const int TopPeers = 50;

    /// <summary>The peer (client) label of the connections of every peer beyond the top ones.</summary>
    public const string OtherPeers = "other";

    /// <summary>
    /// Samples for the <see cref="TopPeers"/> groups holding the most connections, plus one <c>other</c> series per
    /// state (and port). A server with ten thousand clients would otherwise write ten thousand series a round, and
    /// the downstream that a leak points to is by then among the top ones anyway.
    /// </summary>
    private static IEnumerable<Sample> TopSamples<TGroup>(
        IEnumerable<KeyValuePair<(TGroup Group, TcpState State), int>> counts,
        IComparer<TGroup> order,
        Func<TGroup, TGroup> other,
        Func<TGroup, TcpState, SeriesKey> keyOf)
        where TGroup : notnull
    {
        var all = counts.OrderBy(kv => kv.Key.Group, order).ThenBy(kv => kv.Key.State).ToList();
        var top = all
            .GroupBy(kv => kv.Key.Group)
            .Select(g => (g.Key, Total: g.Sum(kv => kv.Value)))
            .OrderByDescending(g => g.Total).ThenBy(g => g.Key, order)
            .Take(TopPeers)
            .Select(g => g.Key)
            .ToHashSet();
        var rest = new SortedDictionary<(TGroup Group, TcpState State), int>(Comparer<(TGroup Group, TcpState State)>.Create(
            (a, b) => order.Compare(a.Group, b.Group) is var c and not 0 ? c : a.State.CompareTo(b.State)));
        foreach (var ((group, state), count) in all)
        {
            if (top.Contains(group))
            {
                yield return new Sample(keyOf(group, state), count);
            }
            else
            {
                var key = (other(group), state);
                rest[key] = rest.GetValueOrDefault(key) + count;
            }
        }

        foreach (var ((group, state), count) in rest)
        {
            yield return new Sample(keyOf(group, state), count);
        }
    }

    private IEnumerable<Sample> PeerSamples() =>
        TopSamples(TcpByPeer.Select(kv => KeyValuePair.Create((kv.Key.Peer, kv.Key.State), kv.Value)), StringComparer.Ordinal, _ => OtherPeers, PeerKey);

    private IEnumerable<Sample> InboundSamples() =>
        TopSamples(
            TcpInbound.Select(kv => KeyValuePair.Create(((kv.Key.Client, kv.Key.Port), kv.Key.State), kv.Value)),
            Comparer<(string Client, int Port)>.Create((a, b) =>
                string.CompareOrdinal(a.Client, b.Client) is var c and not 0 ? c : a.Port.CompareTo(b.Port)),
            g => (OtherPeers, g.Port),
            (g, state) => InboundKey(g.Client, g.Port, state));

    private static SeriesKey PeerKey(string peer, TcpState state) =>
        SeriesKey.Of(MetricNames.TcpPeerConnections, (MetricNames.PeerLabel, peer), (MetricNames.StateLabel, state.Label()));

    private static SeriesKey InboundKey(string client, int port, TcpState state) =>
        SeriesKey.Of(
            MetricNames.TcpInboundConnections,
            (MetricNames.ClientLabel, client),
            (MetricNames.PortLabel, port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (MetricNames.StateLabel, state.Label()));

    /// <summary>The census as samples, in the shared metric names.</summary>
    public IEnumerable<Sample> ToSamples()
    {
        // Every state every round, zeros included, so a state that empties is seen to drop rather than to stop.
        foreach (var state in TcpStates.All)
        {
            yield return new Sample(StateKeys[state], TcpIn(state));
        }

        foreach (var sample in PeerSamples().Concat(InboundSamples()))
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
