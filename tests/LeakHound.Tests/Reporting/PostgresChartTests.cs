using LeakHound.Recording;
using LeakHound.Reporting;
using LeakHound.Samples;

namespace LeakHound.Tests.Reporting;

public sealed class PostgresChartTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);

    private static RecordedSeries Series(SeriesKey key, params double[] values) =>
        new(key, values.Select((v, i) => new TimedValue(T0.AddSeconds(i * 5), v)).ToList());

    [Fact]
    public void PostgreSQL_series_get_charts_with_max_connections_minus_reserved_as_the_limit()
    {
        var data = new RecordedData(
        [
            Series(SeriesKey.Of(MetricNames.PgConnections, ("state", "idle")), 10, 20, 30),
            Series(SeriesKey.Of(MetricNames.PgConnections, ("state", "active")), 0, 0, 0),
            Series(SeriesKey.Of(MetricNames.PgAppConnections, ("application", "<web>"), ("state", "idle")), 10, 20, 30),
            Series(SeriesKey.Of(MetricNames.PgMaxConnections), 100, 100, 100),
            Series(SeriesKey.Of(MetricNames.PgReservedConnections), 3, 3, 3),
            Series(SeriesKey.Of(MetricNames.PgOldestIdleSeconds), 5, 10, 15),
        ], []);

        var charts = ChartGroups.Build(data, capacity: null);

        var states = Assert.Single(charts, c => c.Id == "pg");
        Assert.Equal(["idle", "max_connections − reserved"], states.Lines.Select(l => l.Label));
        var limit = Assert.Single(states.Lines, l => l.IsLimit);
        Assert.All(limit.Series.Points, p => Assert.Equal(97, p.Value));
        Assert.Contains(charts, c => c.Id == "pg-apps" && c.Lines.Any(l => l.Label == "<web> idle"));
        Assert.Contains(charts, c => c.Id == "pg-idle");

        // Nothing PostgreSQL falls through to the catch-all charts as well.
        Assert.DoesNotContain(charts, c => c.Title.StartsWith("postgres.", StringComparison.Ordinal) && c.Title != "postgres.idle_longer_than_threshold");
        var html = HtmlReport.Render(data);
        Assert.Contains("PostgreSQL connections by state", html);
        Assert.DoesNotContain("<web>", html);
    }
}
