using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.Sources;
using LeakHound.Sources.DotNet;
using LeakHound.Tests.Postgres;
using LeakHound.TestSupport;

namespace LeakHound.Tests.DotNet;

/// <summary>Npgsql pools of a real process against the real PostgreSQL fixture, read over EventPipe.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DotNetNpgsqlTests(PostgresFixture fixture)
{
    private static double Used(IEnumerable<Sample> samples) => samples
        .Where(s => s.Key.Metric == MetricNames.DotNetDbConnections && s.Key.Label("provider") == "npgsql" && s.Key.Label("state") == "used")
        .Sum(s => s.Value);

    private async Task<SampleProcess> StartLeakerAsync(int leakEvery, int maxPool = 100)
    {
        var conn = fixture.Server.ConnectionString(PostgresServer.PasswordRole, PostgresServer.Password, application: "dotnet-leak-test");
        var target = SampleProcess.StartLeaky(null, "npgsql", "--conn", conn, "--rate", "20", "--leak-every", leakEvery.ToString(), "--max-pool", maxPool.ToString());
        await target.WaitForLineAsync("ready");
        await target.WaitForDiagnosticsAsync();
        return target;
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task A_pool_that_never_gets_connections_back_shows_used_connections_growing_against_its_maximum()
    {
        using var target = await StartLeakerAsync(leakEvery: 2, maxPool: 90);
        using var session = DotNetSession.Start(target.Pid, TimeSpan.FromSeconds(1));
        var ct = TestContext.Current.CancellationToken;
        await session.WaitForIntervalsAsync(2, TimeSpan.FromSeconds(10), ct);
        var first = Used(session.Latest());
        await session.WaitForIntervalsAsync(3, TimeSpan.FromSeconds(10), ct);
        var samples = session.Latest();
        var later = Used(samples);

        // 10 connections a second are never returned.
        Assert.True(later - first >= 12, $"used went from {first} to {later}; {string.Join(", ", samples)}");
        var max = Assert.Single(samples, s => s.Key.Metric == MetricNames.DotNetDbMaxConnections);
        Assert.Equal(90, max.Value);
        Assert.All(samples, s => Assert.DoesNotContain(PostgresServer.Password, s.Key.ToString(), StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task A_pool_that_gets_every_connection_back_stays_flat()
    {
        using var target = await StartLeakerAsync(leakEvery: 0);
        using var session = DotNetSession.Start(target.Pid, TimeSpan.FromSeconds(1));
        var ct = TestContext.Current.CancellationToken;
        await session.WaitForIntervalsAsync(2, TimeSpan.FromSeconds(10), ct);
        var first = Used(session.Latest());
        await session.WaitForIntervalsAsync(3, TimeSpan.FromSeconds(10), ct);
        var samples = session.Latest();

        Assert.Contains(samples, s => s.Key.Metric == MetricNames.DotNetDbConnections && s.Key.Label("state") == "idle");
        Assert.True(Used(samples) <= 2 && first <= 2, $"used {first} then {Used(samples)}");
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task Without_meters_the_EventCounters_fallback_still_shows_the_leak()
    {
        using var target = await StartLeakerAsync(leakEvery: 2);
        // As on a runtime too old for System.Diagnostics.Metrics: EventCounters only.
        using var session = DotNetSession.Start(target.Pid, TimeSpan.FromSeconds(1), meters: false, eventCounters: true);
        var ct = TestContext.Current.CancellationToken;
        await session.WaitForIntervalsAsync(3, TimeSpan.FromSeconds(10), ct);
        var first = Used(session.Latest());
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var samples = session.Latest();

        Assert.True(Used(samples) - first >= 12, $"used went from {first} to {Used(samples)}; {string.Join(", ", samples)}");
        Assert.All(samples, s => Assert.DoesNotContain(PostgresServer.Password, s.Key.ToString(), StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task A_snapshot_reads_the_pools_of_another_process()
    {
        using var target = await StartLeakerAsync(leakEvery: 1, maxPool: 80);
        var snapshot = await DotNetPoolSnapshot.TakeAsync(target.Pid, TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        Assert.True(snapshot.Complete);
        var pool = Assert.Single(snapshot.Databases);
        Assert.Equal("npgsql", pool.Provider);
        Assert.Equal(80, pool.Max);
        Assert.True(pool.Used >= 20, $"used {pool.Used}");
        Assert.Equal(pool.Used, snapshot.UsedDbConnections);
        Assert.DoesNotContain(PostgresServer.Password, pool.Pool, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task The_source_adds_pool_series_to_the_round_and_ends_the_watch_when_the_target_exits()
    {
        using var target = await StartLeakerAsync(leakEvery: 2);
        using var source = new DotNetSource(target.Pid, TimeSpan.FromSeconds(1));
        var ct = TestContext.Current.CancellationToken;
        await source.StartAsync(ct);
        var round = new RoundBuilder(DateTimeOffset.UtcNow);
        await source.CollectAsync(round, ct);
        Assert.Equal(target.Pid, round.Pid);
        Assert.Contains(round.Samples, s => s.Key.Metric == MetricNames.DotNetDbConnections);
        Assert.False(round.EndOfWatch);

        target.Process.Kill();
        await target.Process.WaitForExitAsync(ct);
        RoundBuilder? last = null;
        for (var i = 0; i < 50 && last?.EndOfWatch != true; i++)
        {
            await Task.Delay(100, ct);
            last = new RoundBuilder(DateTimeOffset.UtcNow);
            await source.CollectAsync(last, ct);
        }

        Assert.True(last!.EndOfWatch, "the watch did not end after the target exited");
        var end = Assert.Single(last.Events, e => e.Kind == EventKind.End);
        Assert.Equal($"process {target.Pid} exited", end.Detail);
    }
}
