using LeakHound.Samples;
using LeakHound.Sources.DotNet;

namespace LeakHound.Tests.DotNet;

/// <summary>HttpClient pools of real processes (samples/LeakyService), read over EventPipe.</summary>
public sealed class DotNetHttpTests
{
    private static double Active(IEnumerable<Sample> samples, string server) => samples
        .Where(s => s.Key.Metric == MetricNames.DotNetHttpConnections && s.Key.Label("server") == server && s.Key.Label("state") == "active")
        .Sum(s => s.Value);

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task Leaked_responses_show_as_growing_active_connections_for_the_downstream()
    {
        var (downstream, address) = await SampleProcess.StartDownstreamAsync("--close-after", "30s");
        using var _ = downstream;
        using var client = SampleProcess.StartLeaky(null, "client", "--target", $"http://{address}/x", "--rate", "20");
        await client.WaitForDiagnosticsAsync();

        using var session = DotNetSession.Start(client.Pid, TimeSpan.FromSeconds(1));
        Assert.True(await session.WaitForIntervalsAsync(2, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "no interval reported: " + session.EndReason);
        var first = Active(session.Latest(), address);
        await session.WaitForIntervalsAsync(3, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var later = Active(session.Latest(), address);

        // 20 leaked responses a second, each holding its connection: about 60 more in 3 s.
        Assert.True(later - first >= 25, $"active went from {first} to {later}; samples: {string.Join(", ", session.Latest())}");
        Assert.DoesNotContain(session.Latest(), s => s.Key.Metric == MetricNames.DotNetHttpConnections && s.Key.Label("server") != address);
        Assert.NotNull(session.TimeToFirstReading);
        Assert.True(session.TimeToFirstReading < TimeSpan.FromSeconds(5), $"first reading after {session.TimeToFirstReading}");
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task A_fixed_client_shows_no_growth()
    {
        // The downstream closes a connection idle for 100 ms and the client calls every 250 ms, so connections open and
        // close while the session listens: a warm keep-alive connection records no measurement, hence no series.
        var (downstream, address) = await SampleProcess.StartDownstreamAsync("--close-after", "100ms");
        using var _ = downstream;
        using var client = SampleProcess.StartLeaky(null, "client", "--target", $"http://{address}/x", "--rate", "4", "--fixed");
        await client.WaitForDiagnosticsAsync();

        using var session = DotNetSession.Start(client.Pid, TimeSpan.FromSeconds(1));
        await session.WaitForIntervalsAsync(2, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var first = Active(session.Latest(), address);
        await session.WaitForIntervalsAsync(3, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var samples = session.Latest();
        var later = Active(samples, address);

        // The series exists (the client does call the downstream) and stays where it was, give or take a request in flight.
        Assert.Contains(samples, s => s.Key.Metric == MetricNames.DotNetHttpConnections && s.Key.Label("server") == address);
        Assert.True(Math.Abs(later - first) <= 3, $"active went from {first} to {later}");
    }
}

/// <summary>A source following a process (<c>--name</c>) attaches again to whichever process the census follows now.</summary>
public sealed class DotNetFollowTests
{
    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task Following_a_restart_attaches_to_the_new_process()
    {
        var (downstream, address) = await SampleProcess.StartDownstreamAsync("--close-after", "30s");
        using var _ = downstream;
        using var first = SampleProcess.StartLeaky(null, "client", "--target", $"http://{address}/x", "--rate", "20");
        using var second = SampleProcess.StartLeaky(null, "client", "--target", $"http://{address}/x", "--rate", "20");
        await first.WaitForDiagnosticsAsync();
        await second.WaitForDiagnosticsAsync();
        var ct = TestContext.Current.CancellationToken;
        int? current = first.Pid;
        using var source = new DotNetSource(() => current, TimeSpan.FromSeconds(1));
        await source.StartAsync(ct);

        var round = new Sources.RoundBuilder(DateTimeOffset.UtcNow);
        await source.CollectAsync(round, ct);
        Assert.Equal(first.Pid, round.Pid);
        Assert.Equal(first.Pid, source.Session!.Pid);

        // The followed process is gone: the source is down, not ended.
        current = null;
        round = new Sources.RoundBuilder(DateTimeOffset.UtcNow);
        await source.CollectAsync(round, ct);
        Assert.Contains(source.Name, round.DownSources);
        Assert.False(round.EndOfWatch);

        // It came back as another process: a new session on it, and its connections after a first interval.
        current = second.Pid;
        round = new Sources.RoundBuilder(DateTimeOffset.UtcNow);
        await source.CollectAsync(round, ct);
        Assert.Equal(second.Pid, source.Session!.Pid);
        await source.Session.WaitForIntervalsAsync(2, TimeSpan.FromSeconds(10), ct);
        round = new Sources.RoundBuilder(DateTimeOffset.UtcNow);
        await source.CollectAsync(round, ct);
        Assert.Equal(second.Pid, round.Pid);
        Assert.Contains(round.Samples, s => s.Key.Metric == MetricNames.DotNetHttpConnections && s.Key.Label("server") == address && s.Value > 0);
    }
}
