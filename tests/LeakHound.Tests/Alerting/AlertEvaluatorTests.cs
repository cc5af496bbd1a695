using LeakHound.Alerting;
using LeakHound.Analysis;
using LeakHound.Samples;
using LeakHound.Sources;

namespace LeakHound.Tests.Alerting;

public sealed class AlertEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);
    private static readonly SeriesKey CloseWait = SeriesKey.Of(MetricNames.TcpConnections, ("state", "close_wait"));

    private static RoundBuilder Round(int second, params (SeriesKey Key, double Value)[] samples)
    {
        var round = new RoundBuilder(T0.AddSeconds(second)) { Pid = 42 };
        foreach (var (key, value) in samples)
        {
            round.Add(new Sample(key, value));
        }

        return round;
    }

    private static AlertEvaluator Evaluator(string rule, AlertOptions? options = null, TrendAnalysis? trend = null) =>
        new([AlertRuleParser.Parse(rule)], options ?? new AlertOptions { ResolveAfter = TimeSpan.FromSeconds(30) }, trend);

    [Fact]
    public void A_leak_fires_once_and_a_recovery_resolves_once()
    {
        var evaluator = Evaluator("process.tcp.connections{state=close_wait} > 500");
        var notices = new List<AlertNotice>();
        for (var s = 0; s < 120; s++)
        {
            // Climbs past 500 at s=51, then is fixed at s=80.
            var value = s < 80 ? s * 10 : 0;
            notices.AddRange(evaluator.Evaluate(Round(s, (CloseWait, value))));
        }

        Assert.Equal([NoticeKind.Firing, NoticeKind.Resolved], notices.Select(n => n.Kind));
        Assert.Equal(T0.AddSeconds(51), notices[0].Since);
        Assert.Equal(510, notices[0].Value);
        Assert.Equal(T0.AddSeconds(80 + 30), notices[1].Time);
    }

    [Fact]
    public void A_value_hovering_at_the_threshold_sends_no_storm()
    {
        var evaluator = Evaluator("process.tcp.connections{state=close_wait} > 500");
        var notices = new List<AlertNotice>();
        for (var s = 0; s < 600; s++)
        {
            notices.AddRange(evaluator.Evaluate(Round(s, (CloseWait, s % 2 == 0 ? 499 : 501))));
        }

        Assert.Equal([NoticeKind.Firing], notices.Select(n => n.Kind));
    }

    [Fact]
    public void A_flapping_series_resolves_only_after_it_stays_clear()
    {
        var evaluator = Evaluator("process.tcp.connections{state=close_wait} > 500");
        var notices = new List<AlertNotice>();
        for (var s = 0; s < 600; s++)
        {
            // Far below for 10 s, far above for 10 s: never clear for the 30 s the resolve needs.
            notices.AddRange(evaluator.Evaluate(Round(s, (CloseWait, s / 10 % 2 == 0 ? 100 : 900))));
        }

        Assert.Single(notices);
    }

    [Fact]
    public void For_keeps_a_short_spike_pending()
    {
        var evaluator = Evaluator("process.tcp.connections{state=close_wait} > 500 for 1m");
        var notices = new List<AlertNotice>();
        for (var s = 0; s < 300; s++)
        {
            notices.AddRange(evaluator.Evaluate(Round(s, (CloseWait, s is > 100 and < 130 ? 900 : 10))));
        }

        Assert.Empty(notices);
    }

    [Fact]
    public void Reminders_come_at_the_repeat_interval()
    {
        var evaluator = Evaluator("process.tcp.connections{state=close_wait} > 500", new AlertOptions { RepeatInterval = TimeSpan.FromMinutes(1) });
        var notices = new List<AlertNotice>();
        for (var s = 0; s < 200; s++)
        {
            notices.AddRange(evaluator.Evaluate(Round(s, (CloseWait, 600))));
        }

        Assert.Equal([NoticeKind.Firing, NoticeKind.Reminder, NoticeKind.Reminder, NoticeKind.Reminder], notices.Select(n => n.Kind));
    }

    [Fact]
    public void Share_of_the_fd_limit_uses_the_recorded_limit_and_names_the_top_peer()
    {
        var evaluator = Evaluator("process.fds > 90% of limit");
        var peer = SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", "10.0.0.5:8080"), ("state", "close_wait"));
        var fds = SeriesKey.Of(MetricNames.Fds);
        var limit = SeriesKey.Of(MetricNames.FdLimit);

        Assert.Empty(evaluator.Evaluate(Round(0, (fds, 900), (limit, 1024), (peer, 800))));
        var notice = Assert.Single(evaluator.Evaluate(Round(1, (fds, 950), (limit, 1024), (peer, 850))));

        Assert.Equal(1024, notice.Capacity);
        Assert.Equal(950 / 1024.0, notice.ShareOfCapacity!.Value, 3);
        Assert.Equal(42, notice.Pid);
    }

    [Fact]
    public void Share_of_capacity_without_a_capacity_warns_once()
    {
        var evaluator = Evaluator("process.tcp.connections{state=established} > 75% of capacity");
        var established = SeriesKey.Of(MetricNames.TcpConnections, ("state", "established"));
        evaluator.Evaluate(Round(0, (established, 5000)));
        evaluator.Evaluate(Round(1, (established, 5000)));

        Assert.Contains("--capacity", Assert.Single(evaluator.TakeWarnings()));
        Assert.Empty(evaluator.TakeWarnings());
    }

    [Fact]
    public void Each_matching_series_has_its_own_state()
    {
        var evaluator = Evaluator("process.tcp.peer.connections{state=close_wait} > 10");
        var a = SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", "a:1"), ("state", "close_wait"));
        var b = SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", "b:1"), ("state", "close_wait"));

        var notice = Assert.Single(evaluator.Evaluate(Round(0, (a, 50), (b, 3))));

        Assert.Equal(a, notice.Series);
        Assert.Equal("a:1", Assert.Single(notice.TopPeers).Key);
    }

    [Fact]
    public void A_servers_alert_names_the_client_group_before_single_peers()
    {
        var evaluator = Evaluator("process.tcp.connections{state=close_wait} > 100");
        var clients = SeriesKey.Of(MetricNames.TcpInboundConnections, ("client", "10.0.0.5"), ("port", "8080"), ("state", "close_wait"));
        var onePeer = SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", "10.0.0.5:51234"), ("state", "close_wait"));
        var established = SeriesKey.Of(MetricNames.TcpInboundConnections, ("client", "10.0.0.9"), ("port", "8080"), ("state", "established"));

        var notice = Assert.Single(evaluator.Evaluate(Round(0, (CloseWait, 400), (clients, 399), (onePeer, 1), (established, 50))));

        Assert.Equal(["from 10.0.0.5 on :8080", "10.0.0.5:51234"], notice.TopPeers.Select(p => p.Key));
        Assert.Equal(399, notice.TopPeers[0].Value);
    }

    [Fact]
    public void Exhaustion_fires_when_the_trend_reaches_capacity_within_the_horizon()
    {
        // A stand-in trend: the least-squares slope; the real analysis is tested on its own.
        LeakVerdict Trend(SeriesKey key, IReadOnlyList<TimedValue> points, double? capacity)
        {
            var growth = SeriesGrowth.Of(key, points)!;
            return new LeakVerdict { Key = key, Kind = growth.SlopePerHour > 0 ? VerdictKind.Leaking : VerdictKind.Stable, SlopePerHour = growth.SlopePerHour, Summary = "" };
        }

        var evaluator = Evaluator("process.tcp.connections{state=close_wait} exhausts 1024 within 1h", trend: Trend);
        var notices = new List<AlertNotice>();
        for (var s = 0; s < 100; s++)
        {
            // +10 every minute: 600/h, so from 0 the 1,024 is 1.7 h away; within the hour after ~7 minutes of data.
            notices.AddRange(evaluator.Evaluate(Round(s * 60, (CloseWait, s * 10))));
        }

        var firing = Assert.Single(notices);
        Assert.Equal(NoticeKind.Firing, firing.Kind);
        Assert.InRange(firing.Value!.Value, 424, 430);
    }

    [Fact]
    public void Source_down_fires_after_its_duration_and_resolves_when_back()
    {
        var evaluator = new AlertEvaluator([AlertRuleParser.Parse("source down for 10s")], new AlertOptions { ResolveAfter = TimeSpan.Zero }, null);
        var notices = new List<AlertNotice>();
        for (var s = 0; s < 60; s++)
        {
            var round = Round(s);
            if (s is >= 5 and < 30)
            {
                round.MarkDown("process 'api'");
            }

            notices.AddRange(evaluator.Evaluate(round));
        }

        Assert.Equal([NoticeKind.Firing, NoticeKind.Resolved], notices.Select(n => n.Kind));
        Assert.Equal(T0.AddSeconds(15), notices[0].Time);
        Assert.Contains("process 'api'", notices[0].Details[0]);
    }
}
