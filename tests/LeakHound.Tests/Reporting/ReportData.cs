using LeakHound.Analysis;
using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Tests.Reporting;

/// <summary>A recording as the census makes it, with a hostile peer name, a restart and a gap, and hand-built verdicts.</summary>
internal static class ReportData
{
    public static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_795_000_000);

    /// <summary>A peer "name" as another party could make it: markup, quotes, and the JavaScript line separators.</summary>
    public const string HostilePeer = "<script>alert(1)</script>\"'&\u2028\u2029</p><img src=x onerror=alert(2)>:443";

    public static readonly SeriesKey CloseWait = SeriesKey.Of(MetricNames.TcpConnections, (MetricNames.StateLabel, "close_wait"));

    public static readonly SeriesKey Established = SeriesKey.Of(MetricNames.TcpConnections, (MetricNames.StateLabel, "established"));

    public static readonly SeriesKey Listen = SeriesKey.Of(MetricNames.TcpConnections, (MetricNames.StateLabel, "listen"));

    public static readonly SeriesKey HostilePeerKey = SeriesKey.Of(MetricNames.TcpPeerConnections, (MetricNames.PeerLabel, HostilePeer), (MetricNames.StateLabel, "close_wait"));

    public static readonly SeriesKey Fds = SeriesKey.Of(MetricNames.Fds);

    public static readonly SeriesKey FdLimit = SeriesKey.Of(MetricNames.FdLimit);

    public static readonly SeriesKey Command = SeriesKey.Of("command.tmp_files");

    public static RecordedData Build(int rounds = 600)
    {
        List<TimedValue> Make(Func<int, double> value) =>
            [.. Enumerable.Range(0, rounds).Where(i => i < rounds / 2 || i > rounds / 2 + 10).Select(i => new TimedValue(T0.AddSeconds(i), value(i)))];

        var series = new List<RecordedSeries>
        {
            new(CloseWait, Make(i => i / 3)),
            new(Established, Make(i => 20 + (i % 7))),
            new(Listen, Make(_ => 0)),
            new(HostilePeerKey, Make(i => i / 3)),
            new(Fds, Make(i => 50 + (i / 3))),
            new(FdLimit, Make(_ => 1024)),
            new(Command, Make(i => i % 50)),
        };
        var events = new List<RecordedEvent>
        {
            new(T0, EventKind.Start, 4242, "watching <b>leaky</b>"),
            new(T0.AddSeconds((rounds / 2) + 1), EventKind.Gap, 4242, "process exited; waiting for \"leaky\" </script>"),
            new(T0.AddSeconds((rounds / 2) + 11), EventKind.Restart, 4343, "restarted"),
            new(T0.AddSeconds(rounds - 1), EventKind.End, 4343, "count reached"),
        };
        return new RecordedData(series.OrderBy(s => s.Key).ToList(), events);
    }

    public static IReadOnlyList<LeakVerdict> Verdicts() =>
    [
        new LeakVerdict
        {
            Key = HostilePeerKey,
            Kind = VerdictKind.Leaking,
            SlopePerHour = 1200,
            SlopeLowPerHour = 1150,
            SlopeHighPerHour = 1250,
            PValue = 0.00001,
            Onset = T0.AddSeconds(60),
            Capacity = 1024,
            TimeToCapacity = TimeSpan.FromMinutes(42),
            Last = 200,
            Points = 600,
            From = T0,
            To = T0.AddSeconds(599),
            Summary = $"close_wait towards {HostilePeer} is leaking: +1,200/h since 00:01, reaches 1,024 in 42m",
        },
        new LeakVerdict
        {
            Key = Established,
            Kind = VerdictKind.Stable,
            Summary = "established is stable",
        },
    ];
}
