using LeakHound.Samples;
using LeakHound.Sources.Process;

namespace LeakHound.Tests;

public sealed class ProcessCensusSamplesTests
{
    [Fact]
    public void Every_state_is_reported_even_at_zero()
    {
        var samples = Census(new() { [("10.0.0.5:8080", TcpState.CloseWait)] = 3 }).ToSamples().ToList();

        var states = samples.Where(s => s.Key.Metric == MetricNames.TcpConnections).ToList();
        Assert.Equal(TcpStates.All.Count, states.Count);
        Assert.Equal(0, states.Single(s => s.Key.Label("state") == "established").Value);
    }

    [Fact]
    public void Peers_beyond_the_top_ones_are_summed_as_other()
    {
        var peers = new Dictionary<(string, TcpState), int> { [("10.0.0.5:8080", TcpState.CloseWait)] = 500 };
        for (var i = 0; i < 1000; i++)
        {
            peers[($"10.0.1.{i % 250}:{40000 + i}", TcpState.Established)] = 1;
        }

        var samples = Census(peers).ToSamples().Where(s => s.Key.Metric == MetricNames.TcpPeerConnections).ToList();

        Assert.Equal(ProcessCensus.TopPeers + 1, samples.Count);
        Assert.Equal(500, samples.Single(s => s.Key.Label("peer") == "10.0.0.5:8080").Value);
        var other = samples.Single(s => s.Key.Label("peer") == ProcessCensus.OtherPeers);
        Assert.Equal("established", other.Key.Label("state"));
        Assert.Equal(1000 - (ProcessCensus.TopPeers - 1), other.Value);
        Assert.Equal(1500, samples.Sum(s => s.Value));
    }

    private static ProcessCensus Census(Dictionary<(string, TcpState), int> peers) => new()
    {
        Pid = 1,
        TcpByState = peers.GroupBy(p => p.Key.Item2).ToDictionary(g => g.Key, g => g.Sum(p => p.Value)),
        TcpByPeer = peers,
        UdpSockets = 0,
        UnixSockets = 0,
        Fds = 10,
        RssBytes = 1,
        Threads = 1,
        Method = CensusMethod.Netlink,
    };
}
