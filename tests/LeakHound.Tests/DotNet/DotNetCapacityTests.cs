using LeakHound.Analysis;
using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Tests.DotNet;

/// <summary>A .NET pool's maximum is the capacity its used connections run into.</summary>
public sealed class DotNetCapacityTests
{
    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public void Used_connections_of_a_pool_reach_that_pools_maximum_not_the_watchs_capacity()
    {
        var start = DateTimeOffset.Parse("2026-11-23T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var used = SeriesKey.Of(MetricNames.DotNetDbConnections, ("provider", "npgsql"), ("pool", "orders"), ("state", "used"));
        var idle = SeriesKey.Of(MetricNames.DotNetDbConnections, ("provider", "npgsql"), ("pool", "orders"), ("state", "idle"));
        var max = SeriesKey.Of(MetricNames.DotNetDbMaxConnections, ("provider", "npgsql"), ("pool", "orders"));
        var points = Enumerable.Range(0, 120).Select(i => new TimedValue(start.AddSeconds(i), i / 4)).ToList();
        var data = new RecordedData(
        [
            new RecordedSeries(used, points),
            new RecordedSeries(idle, points.Select(p => p with { Value = 2 }).ToList()),
            new RecordedSeries(max, points.Select(p => p with { Value = 50 }).ToList()),
        ], []);

        var verdicts = LeakAnalyzer.Analyze(data, new AnalysisOptions { Capacity = 1000 });

        var verdict = Assert.Single(verdicts, v => v.Key == used);
        Assert.True(verdict.IsLeaking, verdict.Summary);
        Assert.Equal(50, verdict.Capacity);
        Assert.Equal("the pool's maximum", verdict.CapacityName);
        Assert.Equal(1000, Assert.Single(verdicts, v => v.Key == idle).Capacity);
        Assert.Null(LeakAnalyzer.PoolCapacityOf(idle, _ => 50));
    }
}
