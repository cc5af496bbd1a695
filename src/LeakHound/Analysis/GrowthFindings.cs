using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Analysis;

/// <summary>A TCP state that grew over a recording, and the peer most of the growth points to.</summary>
public sealed record StateGrowth(string State, SeriesGrowth Growth, string? TopPeer, double TopPeerChange);

/// <summary>What grew during a recording, in the terms an engineer asks at 3 a.m.: which state, towards whom, how fast.</summary>
public static class GrowthFindings
{
    public static IReadOnlyList<StateGrowth> TcpStates(RecordedData data)
    {
        var start = data.Series.SelectMany(s => s.Points.Take(1)).Select(p => p.Time).DefaultIfEmpty().Min();
        var peers = data.Series
            .Where(s => s.Key.Metric == MetricNames.TcpPeerConnections && s.Points.Count > 0)
            .Select(s => (s.Key, Change: PeerChange(s, start)))
            .ToList();

        var grown = new List<StateGrowth>();
        foreach (var series in data.Series.Where(s => s.Key.Metric == MetricNames.TcpConnections))
        {
            if (SeriesGrowth.Of(series.Key, series.Points) is not { Change: > 0 } growth)
            {
                continue;
            }

            var state = series.Key.Label(MetricNames.StateLabel) ?? "?";
            var top = peers.Where(p => p.Key.Label(MetricNames.StateLabel) == state).OrderByDescending(p => p.Change).FirstOrDefault();
            grown.Add(new StateGrowth(state, growth, top.Key?.Label(MetricNames.PeerLabel), top.Change));
        }

        return grown.OrderByDescending(g => g.Growth.Change).ToList();
    }

    public static SeriesGrowth? Of(RecordedData data, SeriesKey key) => data.Find(key) is { } s ? SeriesGrowth.Of(key, s.Points) : null;

    // A peer series first seen after the recording began started from zero: its growth is its last value.
    private static double PeerChange(RecordedSeries peer, DateTimeOffset recordingStart) =>
        peer.Points[0].Time > recordingStart ? peer.Points[^1].Value : peer.Points[^1].Value - peer.Points[0].Value;
}
