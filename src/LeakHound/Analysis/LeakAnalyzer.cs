using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Analysis;

/// <summary>
/// Leak verdicts for a recording: for each series, on its last segment (after the last restart or gap), whether it
/// leaks, how fast, since when and when it reaches capacity. The rule is in <see cref="Classify"/>; why it is that
/// rule is in docs/decisions.md.
/// </summary>
public static class LeakAnalyzer
{
    /// <summary>A trend must lift the level by more than this many robust standard deviations of the noise.</summary>
    private const double NoiseMultiple = 3;

    /// <summary>Significance the last half of a leaking segment needs on its own: the growth is still going on.</summary>
    private const double RecentAlpha = 0.05;

    /// <summary>The last half must grow at least at this share of the whole segment's slope (a warm-up that levelled off does not).</summary>
    private const double RecentShare = 0.25;

    /// <summary>Below this many points the last half is not tested on its own: the whole segment's test carries the weight.</summary>
    private const int RecentTestable = 10;

    private const int NoiseSampleSize = 20_000;

    /// <summary>Verdicts for every series in key order (connection-like ones only unless <see cref="AnalysisOptions.AllSeries"/>).</summary>
    public static IReadOnlyList<LeakVerdict> Analyze(RecordedData data, AnalysisOptions? options = null)
    {
        options ??= new AnalysisOptions();
        var fdLimit = data.Find(SeriesKey.Of(MetricNames.FdLimit))?.Points is { Count: > 0 } limit ? limit[^1].Value : (double?)null;
        var verdicts = data.Series
            .Where(s => options.AllSeries || IsConnectionLike(s.Key))
            .Select(s =>
            {
                var (capacity, name) = PoolCapacityOf(s.Key, k => data.Find(k)?.Points is { Count: > 0 } p ? p[^1].Value : null) is { } pool
                    ? (pool, "the pool's maximum")
                    : CapacityOf(s.Key, options.Capacity, fdLimit);
                return Analyze(s.Key, s.Points, data.Events, capacity, name, options);
            })
            .ToList();
        return AttributeToPeers(verdicts);
    }

    /// <summary>The verdict for one series.</summary>
    public static LeakVerdict Analyze(
        SeriesKey key, IReadOnlyList<TimedValue> points, IReadOnlyList<RecordedEvent> events, double? capacity, string? capacityName, AnalysisOptions? options = null)
    {
        options ??= new AnalysisOptions();
        points = Finite(points);
        if (points.Count == 0)
        {
            return Finish(new LeakVerdict { Key = key, Kind = VerdictKind.NotEnoughData, Capacity = capacity, CapacityName = capacityName, Summary = "" });
        }

        var starts = Segmenter.Starts(points, events);
        var start = starts[^1];
        var n = points.Count - start;
        double min = double.MaxValue, max = double.MinValue;
        for (var i = start; i < points.Count; i++)
        {
            min = Math.Min(min, points[i].Value);
            max = Math.Max(max, points[i].Value);
        }

        var verdict = new LeakVerdict
        {
            Key = key,
            Kind = VerdictKind.Stable,
            Capacity = capacity,
            CapacityName = capacityName,
            Last = points[^1].Value,
            Min = min,
            Max = max,
            Points = n,
            From = points[start].Time,
            To = points[^1].Time,
            Segments = starts.Count,
            Towards = key.Label(MetricNames.PeerLabel),
            Summary = "",
        };

        if (n < options.MinPoints || verdict.To - verdict.From < options.MinSpan)
        {
            return Finish(verdict with { Kind = VerdictKind.NotEnoughData });
        }

        if (max == min)
        {
            // Flat: nothing to test (and the common case: most TCP states of most processes are 0 throughout).
            return Finish(verdict with { SlopeLowPerHour = 0, SlopeHighPerHour = 0, PValue = 1 });
        }

        var series = Downsampled.Of(points, start, points.Count, options.MaxPoints);
        var mk = MannKendall.Of(series.Means);
        var ts = TheilSen.Of(series.Hours, series.Means, mk.VarianceS);
        return Finish(Classify(verdict, series, mk, ts, RawNoise(points, start, series, ts), StepNoise(points, start), options));
    }

    /// <summary>
    /// Leaking needs all of: a significant Mann–Kendall trend up (p &lt; alpha); a rise of the level (median of the
    /// last tenth minus the first) beyond three robust SDs of the noise; a floor (the minimum of the last quarter)
    /// that rose beyond three robust SDs of the point-to-point noise, which a saw-tooth returning to its base never does; and growth
    /// still going on in the last half on its own (a Theil–Sen slope there of at least a quarter of the whole one, and
    /// significant at 5% when the half has ten points or more), which rules out a warm-up that grew and then levelled off.
    /// </summary>
    private static LeakVerdict Classify(
        LeakVerdict verdict, Downsampled series, MannKendall mk, TheilSen ts, double noise, double stepNoise, AnalysisOptions options)
    {
        var y = series.Means;
        var m = series.Count;

        var edge = Math.Min(m, Math.Max(3, m / 10));
        var rise = Select.Median(y.AsSpan(m - edge)) - Select.Median(y.AsSpan(0, edge));
        var quarter = Math.Min(m, Math.Max(2, m / 4));
        var floorRise = Min(series.Mins.AsSpan(m - quarter)) - Min(series.Mins.AsSpan(0, quarter));
        var recent = MannKendall.Of(y.AsSpan(m / 2));
        var recentSlope = TheilSen.Of(series.Hours.AsSpan(m / 2), y.AsSpan(m / 2), recent.VarianceS).Slope;
        var stillGrowing = recentSlope > 0 && recentSlope >= RecentShare * ts.Slope && (m - (m / 2) < RecentTestable || recent.P < RecentAlpha);
        var meaningful = Math.Abs(rise) > NoiseMultiple * noise;

        var result = verdict with { SlopePerHour = ts.Slope, SlopeLowPerHour = ts.Low, SlopeHighPerHour = ts.High, PValue = mk.P };
        var leaking = mk.P < options.Alpha && ts.Slope > 0 && rise > 0 && meaningful
            && floorRise > 0 && floorRise > NoiseMultiple * stepNoise
            && stillGrowing;
        if (leaking)
        {
            return WithOnset(result, series);
        }

        var shrinking = mk.P < options.Alpha && ts.Slope < 0 && rise < 0 && meaningful;
        return result with { Kind = shrinking ? VerdictKind.Shrinking : VerdictKind.Stable };
    }

    /// <summary>The onset, and the slope since the onset: a leak that began halfway grows at its own rate, not half of it.</summary>
    private static LeakVerdict WithOnset(LeakVerdict verdict, Downsampled series)
    {
        verdict = verdict with { Kind = VerdictKind.Leaking, Onset = verdict.From };
        var k = OnsetDetector.Find(series.Hours, series.Means);
        if (k == 0)
        {
            return verdict;
        }

        verdict = verdict with { Onset = series.TimeAt(series.Hours[k]) };
        if (series.Count - k < 8)
        {
            return verdict;
        }

        var after = series.Means.AsSpan(k);
        var ts = TheilSen.Of(series.Hours.AsSpan(k), after, MannKendall.Variance(after));
        return ts.Slope > 0 ? verdict with { SlopePerHour = ts.Slope, SlopeLowPerHour = ts.Low, SlopeHighPerHour = ts.High } : verdict;
    }

    /// <summary>Robust SD of the raw points around the Theil–Sen line of the bucket means (from an even sample of at most 20,000).</summary>
    private static double RawNoise(IReadOnlyList<TimedValue> points, int start, Downsampled series, TheilSen ts)
    {
        var n = points.Count - start;
        var stride = Math.Max(1, n / NoiseSampleSize);
        var residuals = new List<double>((n / stride) + 1);
        for (var i = start; i < points.Count; i += stride)
        {
            var hours = (points[i].Time - series.Origin).TotalHours;
            residuals.Add(points[i].Value - (ts.Intercept + (ts.Slope * hours)));
        }

        return Select.RobustSd(residuals.ToArray());
    }

    /// <summary>
    /// Robust SD of the noise from one point to the next (MAD of first differences / √2): blind to trends, ramps and
    /// rare drops, so it measures how much a floor may move by chance. From an even sample of at most 20,000 steps.
    /// </summary>
    private static double StepNoise(IReadOnlyList<TimedValue> points, int start)
    {
        var n = points.Count - start;
        var stride = Math.Max(1, n / NoiseSampleSize);
        var steps = new List<double>((n / stride) + 1);
        for (var i = start + 1; i < points.Count; i += stride)
        {
            steps.Add(points[i].Value - points[i - 1].Value);
        }

        return steps.Count == 0 ? 0 : Select.RobustSd(steps.ToArray()) / Math.Sqrt(2);
    }

    private static LeakVerdict Finish(LeakVerdict verdict)
    {
        TimeSpan? left = null;
        if (verdict.IsLeaking && verdict.Capacity is { } capacity && verdict.SlopePerHour > 0)
        {
            left = verdict.Last >= capacity ? TimeSpan.Zero : TimeSpan.FromHours(Math.Min((capacity - verdict.Last) / verdict.SlopePerHour, 24 * 365 * 100));
        }

        verdict = verdict with { TimeToCapacity = left };
        return verdict with { Summary = VerdictText.Summary(verdict) };
    }

    /// <summary>
    /// A leaking TCP state names the peer (or, for accepted connections, the client group) whose series in that state
    /// leaks fastest; failing that (a peer first seen late can have too few points of its own for a verdict), the one
    /// holding most connections in that state now. A server's clients each hold a connection or two per peer series,
    /// so it is their inbound group that leaks, and that group is named.
    /// </summary>
    private static List<LeakVerdict> AttributeToPeers(List<LeakVerdict> verdicts)
    {
        var peers = verdicts.Where(v => MetricNames.IsTcpBreakdown(v.Key.Metric)
            && v.Key.Label(v.Key.Metric == MetricNames.TcpPeerConnections ? MetricNames.PeerLabel : MetricNames.ClientLabel) is { } who
            && who != Sources.Process.ProcessCensus.OtherPeers).ToList();
        for (var i = 0; i < verdicts.Count; i++)
        {
            var v = verdicts[i];
            if (!v.IsLeaking || v.Key.Metric != MetricNames.TcpConnections)
            {
                continue;
            }

            var state = v.Key.Label(MetricNames.StateLabel);
            var inState = peers.Where(p => p.Key.Label(MetricNames.StateLabel) == state).ToList();
            var top = inState.Where(p => p.IsLeaking).MaxBy(p => p.SlopePerHour)
                ?? inState.Where(p => p.Kind != VerdictKind.Shrinking && p.Last > 0).MaxBy(p => p.Last);
            if (top is not null)
            {
                var inbound = top.Key.Metric == MetricNames.TcpInboundConnections;
                verdicts[i] = v with { Towards = inbound ? VerdictText.Client(top.Key) : top.Peer, TowardsClient = inbound };
                verdicts[i] = verdicts[i] with { Summary = VerdictText.Summary(verdicts[i]) };
            }
        }

        return verdicts;
    }

    /// <summary>Series about connections and descriptors (and anything not a process resource, such as a CSV column); not memory, threads or the fd limit.</summary>
    public static bool IsConnectionLike(SeriesKey key) =>
        key.Metric is not (MetricNames.RssBytes or MetricNames.Threads or MetricNames.FdLimit);

    /// <summary>The fd count reaches the fd limit; connection counts and plain numbers reach the capacity given.</summary>
    public static (double? Capacity, string? Name) CapacityOf(SeriesKey key, double? capacity, double? fdLimit) => key.Metric switch
    {
        MetricNames.Fds => fdLimit is > 0 ? (fdLimit, "the fd limit") : (null, null),
        MetricNames.FdLimit or MetricNames.RssBytes or MetricNames.Threads or MetricNames.UdpSockets or MetricNames.UnixSockets => (null, null),
        _ => capacity is > 0 ? (capacity, "the capacity") : (null, null),
    };

    /// <summary>
    /// A .NET database pool's <c>used</c> connections reach the pool's maximum (<c>dotnet.db.max_connections</c> of
    /// the same provider and pool), whatever capacity was given: null for any other series or when no maximum was read.
    /// </summary>
    public static double? PoolCapacityOf(SeriesKey key, Func<SeriesKey, double?> latest)
    {
        if (key.Metric != MetricNames.DotNetDbConnections || key.Label(MetricNames.StateLabel) != "used")
        {
            return null;
        }

        var max = latest(SeriesKey.Of(
            MetricNames.DotNetDbMaxConnections,
            (MetricNames.ProviderLabel, key.Label(MetricNames.ProviderLabel) ?? ""),
            (MetricNames.PoolLabel, key.Label(MetricNames.PoolLabel) ?? "")));
        return max is > 0 ? max : null;
    }

    private static IReadOnlyList<TimedValue> Finite(IReadOnlyList<TimedValue> points)
    {
        foreach (var p in points)
        {
            if (!double.IsFinite(p.Value))
            {
                return points.Where(q => double.IsFinite(q.Value)).ToList();
            }
        }

        return points;
    }

    private static double Min(ReadOnlySpan<double> values)
    {
        var min = double.MaxValue;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
        }

        return min;
    }
}
