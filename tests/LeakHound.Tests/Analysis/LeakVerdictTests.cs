using System.Diagnostics;
using LeakHound.Analysis;
using LeakHound.Recording;
using LeakHound.Samples;
using static LeakHound.Tests.Analysis.Generated;

namespace LeakHound.Tests.Analysis;

/// <summary>Generated series whose answer is known, including the shapes people misjudge by eye.</summary>
public sealed class LeakVerdictTests
{
    private static readonly SeriesKey CloseWait = SeriesKey.Of(MetricNames.TcpConnections, ("state", "close_wait"));
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static LeakVerdict Verdict(List<TimedValue> points, IReadOnlyList<RecordedEvent>? events = null, double? capacity = null) =>
        LeakAnalyzer.Analyze(CloseWait, points, events ?? [], capacity, capacity is null ? null : "the capacity");

    [Fact]
    public void A_linear_leak_in_noise_is_leaking_and_its_interval_holds_the_true_slope()
    {
        // 10 h at one point a minute, +10/h, noise SD 3: a rise of 100 in noise a human would call "wobbly".
        // A 95% interval misses the truth now and then by design: over 40 seeds it must hold it at least 34 times.
        var held = 0;
        for (var seed = 1; seed <= 40; seed++)
        {
            var noise = Gaussian(seed, 3);
            var v = Verdict(Series(600, Minute, i => 50 + (10.0 * i / 60) + noise()));

            Assert.True(v.Kind == VerdictKind.Leaking, $"seed {seed}: {v.Summary}");
            Assert.InRange(v.SlopePerHour, 9.5, 10.5);
            Assert.True(v.PValue < 0.001, v.Summary);
            Assert.Contains("close_wait is leaking", v.Summary);
            held += v.SlopeLowPerHour <= 10 && v.SlopeHighPerHour >= 10 ? 1 : 0;
        }

        Assert.InRange(held, 34, 40);
    }

    [Fact]
    public void Flat_noise_is_stable()
    {
        for (var seed = 1; seed <= 30; seed++)
        {
            var noise = Gaussian(seed, 4);
            var v = Verdict(Series(720, Minute, _ => Math.Round(40 + noise())));

            Assert.True(v.Kind == VerdictKind.Stable, $"seed {seed}: {v.Summary}");
        }
    }

    [Fact]
    public void Autocorrelated_flat_noise_is_not_called_a_leak()
    {
        // Drifting noise fools Mann–Kendall into significance; the size and floor checks must not be fooled.
        for (var seed = 1; seed <= 30; seed++)
        {
            var noise = Autocorrelated(seed, 5, 0.9);
            var v = Verdict(Series(2000, TimeSpan.FromSeconds(5), _ => Math.Round(100 + noise())));

            Assert.True(v.Kind != VerdictKind.Leaking, $"seed {seed}: {v.Summary}");
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(1.0)]
    public void A_single_outlier_spike_is_not_a_leak(double where)
    {
        var noise = Gaussian(11, 1);
        var points = Series(300, Minute, _ => Math.Round(20 + noise()));
        var at = Math.Min(points.Count - 1, (int)(where * points.Count));
        points[at] = points[at] with { Value = 400 };

        var v = Verdict(points);

        Assert.Equal(VerdictKind.Stable, v.Kind);
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 45)]
    [InlineData(3, 20)]
    public void A_pool_that_saw_tooths_up_and_back_down_is_not_a_leak(int seed, int period)
    {
        // Up from 10 to 60 over a period, then back to 10; 12 h ending on a ramp, where the eye sees "still rising".
        var noise = Gaussian(seed, 1.5);
        var points = Series((12 * 60) + (period * 3 / 4), Minute, i => Math.Round(10 + (50.0 * (i % period) / period) + noise()));

        var v = Verdict(points);

        Assert.True(v.Kind != VerdictKind.Leaking, v.Summary);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_saw_tooth_whose_peaks_grow_with_the_load_but_returns_to_its_base_is_not_a_leak(int seed)
    {
        // Busier and busier through the day, so every burst is taller and the mean climbs: a trend, but no leak,
        // because each burst gives its connections back. Only the floor tells the two apart.
        var noise = Gaussian(seed, 1);
        const int period = 30;
        var points = Series(12 * 60, Minute, i => Math.Round(10 + ((10 + (90.0 * i / 720)) * (i % period) / period) + noise()));

        var v = Verdict(points);

        Assert.True(v.PValue < 0.01, "the mean should trend up, or this test proves nothing: " + v.Summary);
        Assert.True(v.Kind != VerdictKind.Leaking, v.Summary);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_leak_that_steps_up_only_on_a_rare_request_is_leaking(int seed)
    {
        // Seed 000: lsof counts flat for hours, then +1 when the rare request comes, never back down.
        var random = new Random(seed);
        var level = 6.0;
        var points = Series(5000, TimeSpan.FromSeconds(30), _ => level += random.NextDouble() < 0.005 ? 1 : 0);

        var v = Verdict(points);

        Assert.True(points[^1].Value - points[0].Value >= 10, "the generator should have stepped");
        Assert.Equal(VerdictKind.Leaking, v.Kind);
        Assert.True(v.SlopePerHour > 0, v.Summary);
    }

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.3)]
    [InlineData(3, 0.7)]
    public void A_leak_that_starts_partway_has_the_right_onset(int seed, double startsAt)
    {
        var noise = Gaussian(seed, 2);
        const int n = 1440;
        var onset = (int)(startsAt * n);
        var points = Series(n, Minute, i => 30 + (i < onset ? 0 : 20.0 * (i - onset) / 60) + noise());

        var v = Verdict(points);

        Assert.Equal(VerdictKind.Leaking, v.Kind);
        var trueOnset = points[onset].Time;
        var error = Math.Abs((v.Onset!.Value - trueOnset).TotalMinutes) / n;
        Assert.True(error < 0.03, $"onset {v.Onset:HH:mm} vs {trueOnset:HH:mm}: {error:P1} of the span");
        Assert.InRange(v.SlopePerHour, 18, 22);
    }

    [Fact]
    public void A_decreasing_series_is_shrinking()
    {
        var noise = Gaussian(5, 2);
        var v = Verdict(Series(300, Minute, i => 200 - (10.0 * i / 60) + noise()));

        Assert.Equal(VerdictKind.Shrinking, v.Kind);
        Assert.InRange(v.SlopePerHour, -11, -9);
        Assert.Null(v.TimeToCapacity);
    }

    [Fact]
    public void Five_points_are_not_enough_data()
    {
        var v = Verdict(Series(5, Minute, i => i * 100));

        Assert.Equal(VerdictKind.NotEnoughData, v.Kind);
        Assert.Contains("not enough data", v.Summary);
    }

    [Fact]
    public void A_restart_in_the_middle_splits_segments_and_the_verdict_is_on_the_last()
    {
        // Leaking before the restart, flat after: the process that runs now does not leak.
        var noise = Gaussian(3, 1);
        var points = Series(400, Minute, i => i < 200 ? i : 5 + Math.Round(noise()));
        var restart = new RecordedEvent(points[200].Time, EventKind.Restart, 42, "watching PID 42");

        var v = Verdict(points, [restart]);

        Assert.Equal(2, v.Segments);
        Assert.Equal(points[200].Time, v.From);
        Assert.Equal(200, v.Points);
        Assert.Equal(VerdictKind.Stable, v.Kind);
    }

    [Fact]
    public void A_leak_after_a_restart_is_found_though_the_whole_series_ends_lower_than_it_began()
    {
        var noise = Gaussian(4, 1);
        var points = Series(400, Minute, i => i < 200 ? 300 + Math.Round(noise()) : (i - 200) / 2.0);
        var gap = new RecordedEvent(points[200].Time, EventKind.Gap, null, "process 41 exited");

        var v = Verdict(points, [gap]);

        Assert.NotEqual(VerdictKind.Leaking, Verdict(points).Kind);
        Assert.Equal(VerdictKind.Leaking, v.Kind);
        Assert.Equal(2, v.Segments);
        Assert.Equal(points[200].Time, v.Onset);
        Assert.Equal(30, v.SlopePerHour, 6);
    }

    [Fact]
    public void A_long_silence_splits_segments_without_an_event()
    {
        // Flat, then an hour with no samples, then a leak from a fresh level.
        var first = Series(100, Minute, _ => 50);
        var second = Series(100, Minute, i => 3 + (i / 2.0)).Select(p => p with { Time = p.Time + TimeSpan.FromHours(3) });
        var v = Verdict([.. first, .. second]);

        Assert.Equal(2, v.Segments);
        Assert.Equal(VerdictKind.Leaking, v.Kind);
        Assert.Equal(first[0].Time + TimeSpan.FromHours(3), v.Onset);
    }

    [Fact]
    public void A_warm_up_that_levels_off_is_not_a_leak()
    {
        // A pool filling to its working size and staying there: grew, but is not growing.
        var noise = Gaussian(8, 0.5);
        var v = Verdict(Series(240, Minute, i => Math.Round(Math.Min(20, i / 3.0) + noise())));

        Assert.True(v.Kind != VerdictKind.Leaking, v.Summary);
    }

    [Fact]
    public void Time_to_capacity_is_the_room_left_over_the_slope()
    {
        var v = Verdict(Series(121, Minute, i => 100 + (2.0 * i)), capacity: 1024);

        Assert.Equal(VerdictKind.Leaking, v.Kind);
        Assert.Equal(120, v.SlopePerHour, 6);
        Assert.Equal(340, v.Last);
        Assert.Equal((1024 - 340) / 120.0, v.TimeToCapacity!.Value.TotalHours, 6);
        Assert.Contains("the capacity of 1,024 is reached in 5h", v.Summary);
    }

    [Fact]
    public void Not_a_number_values_are_left_out()
    {
        var points = Series(60, Minute, i => i % 7 == 3 ? double.NaN : i);

        var v = Verdict(points);

        Assert.Equal(VerdictKind.Leaking, v.Kind);
        Assert.Equal(60 - 9, v.Points);
    }

    [Fact]
    public void A_leaking_state_names_the_peer_its_connections_point_to_and_fds_use_the_fd_limit()
    {
        var peer = SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", "10.0.0.7:5432"), ("state", "close_wait"));
        var quiet = SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", "10.0.0.9:443"), ("state", "close_wait"));
        var data = new RecordedData(
            [
                new(CloseWait, Series(60, TimeSpan.FromSeconds(10), i => 3 + (i * 5))),
                new(peer, Series(60, TimeSpan.FromSeconds(10), i => i * 5)),
                new(quiet, Series(60, TimeSpan.FromSeconds(10), _ => 3)),
                new(SeriesKey.Of(MetricNames.Fds), Series(60, TimeSpan.FromSeconds(10), i => 50 + (i * 5))),
                new(SeriesKey.Of(MetricNames.FdLimit), Series(60, TimeSpan.FromSeconds(10), _ => 1024)),
                new(SeriesKey.Of(MetricNames.RssBytes), Series(60, TimeSpan.FromSeconds(10), i => 1e6 + i)),
            ],
            []);

        var verdicts = LeakAnalyzer.Analyze(data, new AnalysisOptions { Capacity = 500 });

        var state = verdicts.Single(v => v.Key == CloseWait);
        Assert.Equal("10.0.0.7:5432", state.Towards);
        Assert.Contains("towards 10.0.0.7:5432", state.Summary);
        Assert.Equal(500, state.Capacity);
        Assert.Equal(VerdictKind.Stable, verdicts.Single(v => v.Key == quiet).Kind);
        var fds = verdicts.Single(v => v.Key.Metric == MetricNames.Fds);
        Assert.Equal(1024, fds.Capacity);
        Assert.Contains("the fd limit of 1,024 is reached in", fds.Summary);
        Assert.DoesNotContain(verdicts, v => v.Key.Metric is MetricNames.RssBytes or MetricNames.FdLimit);
    }

    [Fact]
    public void A_server_leak_names_its_clients_and_port_not_one_of_their_ephemeral_ports()
    {
        // A server that never closes what its clients hung up: one CLOSE_WAIT per client port (each peer series
        // 0 or 1), all of them from 10.0.0.5 to the listening port 8080.
        var inbound = SeriesKey.Of(MetricNames.TcpInboundConnections, ("client", "10.0.0.5"), ("port", "8080"), ("state", "close_wait"));
        var series = new List<RecordedSeries>
        {
            new(CloseWait, Series(60, TimeSpan.FromSeconds(10), i => i * 5)),
            new(inbound, Series(60, TimeSpan.FromSeconds(10), i => i * 5)),
        };
        for (var p = 0; p < 20; p++)
        {
            var start = 2 * p;
            series.Add(new(
                SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", $"10.0.0.5:{40000 + p}"), ("state", "close_wait")),
                Series(60, TimeSpan.FromSeconds(10), i => i >= start ? 1 : 0)));
        }

        series.Add(new(SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", "other"), ("state", "close_wait")), Series(60, TimeSpan.FromSeconds(10), i => i * 4)));
        var verdicts = LeakAnalyzer.Analyze(new RecordedData(series, []));

        var state = verdicts.Single(v => v.Key == CloseWait);
        Assert.Equal(VerdictKind.Leaking, state.Kind);
        Assert.True(state.TowardsClient);
        Assert.Equal("10.0.0.5 on :8080", state.Towards);
        Assert.Contains(", from 10.0.0.5 on :8080;", state.Summary, StringComparison.Ordinal);
        Assert.StartsWith("close_wait from 10.0.0.5 on :8080 is leaking", verdicts.Single(v => v.Key == inbound).Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_peer_seen_too_late_for_its_own_verdict_is_still_named()
    {
        // The demo's first seconds: the state leaks over 9 points, its peer appeared with the first leaked socket.
        var peer = SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", "10.0.0.7:5432"), ("state", "close_wait"));
        var other = SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", "10.0.0.9:443"), ("state", "close_wait"));
        var data = new RecordedData(
            [
                new(CloseWait, Series(9, TimeSpan.FromSeconds(1), i => Math.Max(0, i - 2) * 10)),
                new(peer, Series(6, TimeSpan.FromSeconds(1), i => (i + 1) * 10).Select(p => p with { Time = p.Time.AddSeconds(3) }).ToList()),
                new(other, Series(9, TimeSpan.FromSeconds(1), _ => 1)),
            ],
            []);

        var verdicts = LeakAnalyzer.Analyze(data);

        Assert.Equal(VerdictKind.NotEnoughData, verdicts.Single(v => v.Key == peer).Kind);
        var state = verdicts.Single(v => v.Key == CloseWait);
        Assert.Equal(VerdictKind.Leaking, state.Kind);
        Assert.Equal("10.0.0.7:5432", state.Towards);
    }

    [Fact]
    public void Six_hundred_thousand_points_are_analysed_in_well_under_a_second()
    {
        var noise = Gaussian(9, 3);
        var points = Series(600_000, TimeSpan.FromSeconds(1), i => 100 + (i / 3600.0) + noise());
        LeakAnalyzer.Analyze(CloseWait, points.Take(1000).ToList(), [], null, null);

        var clock = Stopwatch.StartNew();
        var v = Verdict(points);
        clock.Stop();

        Assert.Equal(VerdictKind.Leaking, v.Kind);
        Assert.InRange(v.SlopePerHour, 0.9, 1.1);
        Assert.True(clock.ElapsedMilliseconds < 1000, $"{clock.ElapsedMilliseconds} ms");
    }
}
