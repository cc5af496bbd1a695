using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.Sources.Postgres;
using LeakHound.TestSupport;

namespace LeakHound.Tests.Postgres;

/// <summary>A server of its own: stopping the shared one would break the other tests.</summary>
public sealed class PostgresRestartTests
{
    [Fact]
    public async Task An_outage_is_one_gap_and_the_return_a_note()
    {
        await using var server = await PostgresServer.StartAsync(maxConnections: 20);
        var cs = server.ConnectionString(PostgresServer.PasswordRole, PostgresServer.Password);
        await using var source = new PostgresSource(cs, TimeSpan.Zero);
        await source.CheckAsync(TestContext.Current.CancellationToken);

        var before = await PostgresCensusTests.CollectAsync(source);
        await server.StopServerAsync();
        var down1 = await PostgresCensusTests.CollectAsync(source);
        var down2 = await PostgresCensusTests.CollectAsync(source);
        await server.StartServerAsync();
        var back = await PostgresCensusTests.CollectAsync(source);

        Assert.DoesNotContain(before.Events, e => e.Kind == EventKind.Gap);
        Assert.Equal(20, PostgresCensusTests.Value(before, SeriesKey.Of(MetricNames.PgMaxConnections)));
        var gap = Assert.Single(down1.Events);
        Assert.Equal(EventKind.Gap, gap.Kind);
        Assert.StartsWith("postgres unreachable: ", gap.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, gap.Detail);
        Assert.Empty(down1.Samples);
        Assert.Empty(down2.Events);
        var note = Assert.Single(back.Events, e => e.Detail.StartsWith("postgres", StringComparison.Ordinal));
        Assert.Equal(EventKind.Note, note.Kind);
        Assert.StartsWith("postgres is back; the server restarted", note.Detail, StringComparison.Ordinal);
        Assert.Equal(20, PostgresCensusTests.Value(back, SeriesKey.Of(MetricNames.PgMaxConnections)));
    }
}
