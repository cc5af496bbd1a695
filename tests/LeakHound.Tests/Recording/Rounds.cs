using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Tests.Recording;

/// <summary>Test data: keys that stress quoting and rounds at millisecond times.</summary>
internal static class Rounds
{
    public static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_123);

    public static readonly SeriesKey Tcp = SeriesKey.Of(MetricNames.TcpConnections, ("state", "close_wait"));

    public static readonly SeriesKey Peer = SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", "10.0.0.5:8080"), ("state", "established"));

    /// <summary>Quotes, commas, a backslash and a brace in a label value: everything CSV and key text must escape.</summary>
    public static readonly SeriesKey Awkward = SeriesKey.Of("command.odd", ("app", "a \"quoted\", comma\\ {x}"));

    public static readonly SeriesKey Fds = SeriesKey.Of(MetricNames.Fds);

    public static SampleRound Round(int i) => new(
        T0.AddSeconds(5 * i),
        4242,
        [new(Tcp, i), new(Peer, 10 + i), new(Awkward, 0.5 * i), new(Fds, 100 + (i * 1.25))]);

    public static async Task WriteRoundsAsync(ISampleSink sink, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await sink.WriteRoundAsync(Round(i), TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Asserts that <paramref name="data"/> holds exactly rounds [from, from + count) of <see cref="Round"/>.</summary>
    public static void AssertHoldsRounds(RecordedData data, int from, int count)
    {
        Assert.Equal([Awkward, Fds, Tcp, Peer], data.Series.Select(s => s.Key));
        foreach (var series in data.Series)
        {
            var expected = Enumerable.Range(from, count)
                .Select(i => new TimedValue(Round(i).Time, Round(i).Samples.Single(s => s.Key == series.Key).Value));
            Assert.Equal(expected, series.Points);
        }
    }
}
