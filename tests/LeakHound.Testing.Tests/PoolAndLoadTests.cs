namespace LeakHound.Testing.Tests;

public sealed class PoolAndLoadTests : IAsyncLifetime
{
    private readonly StubServer _server = StubServer.Start();

    public ValueTask InitializeAsync()
    {
        _server.On("GET", "/session").Respond(403).WithHtml(StubServer.LoadBalancerForbiddenPage);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Pool_of_one_fails_the_second_leaky_call_fast_naming_who_holds_the_connection()
    {
        var client = new SessionClient(new HttpClient(PoolOfOne.CreateHandler(TimeSpan.FromMilliseconds(500))) { BaseAddress = _server.BaseAddress });

        await client.IsSessionActiveLeakyAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ConnectionPoolExhaustedException>(client.IsSessionActiveLeakyAsync);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.StartsWith("connection pool exhausted: probable leak", e.Message);
        Assert.Contains(_server.Authority, e.Message);
        Assert.Contains("Held by a response not disposed", e.Message);
        Assert.Contains("SessionClient.IsSessionActiveLeakyAsync()", e.Message);
    }

    [Fact]
    public async Task Pool_of_one_runs_the_fixed_call_twice_and_more()
    {
        var client = new SessionClient(new HttpClient(PoolOfOne.CreateHandler(TimeSpan.FromMilliseconds(500))) { BaseAddress = _server.BaseAddress });
        for (var i = 0; i < 4; i++)
        {
            Assert.False(await client.IsSessionActiveFixedAsync());
        }

        Assert.Equal(1, _server.ConnectionCount);
    }

    [Fact]
    public async Task Clean_code_under_load_passes_every_time()
    {
        var client = new SessionClient(new HttpClient(new LeakTrackingHandler(new SocketsHttpHandler())) { BaseAddress = _server.BaseAddress });
        for (var run = 0; run < 10; run++)
        {
            var report = await LeakAssert.UnderLoadAsync(client.IsSessionActiveFixedAsync, iterations: 200, concurrency: 16, tolerance: 0);
            Assert.False(report.HasLeaks);
        }

        Assert.Equal(2000, _server.RequestCount);
    }

    [Fact]
    public async Task Leaky_code_under_load_fails_far_outside_the_tolerance()
    {
        var http = new HttpClient(new LeakTrackingHandler(new SocketsHttpHandler())) { BaseAddress = _server.BaseAddress };
        var client = new SessionClient(http);
        var e = await Assert.ThrowsAsync<ConnectionLeakException>(() =>
            LeakAssert.UnderLoadAsync(client.IsSessionActiveLeakyAsync, iterations: 50, concurrency: 8, tolerance: 2,
                new LeakGuardOptions { Deadline = TimeSpan.FromMilliseconds(300) }));
        var leak = Assert.Single(e.Report!.Leaks);
        // Exactly 50, though the responses are unreachable: tracking keeps them (and so their connections) from the
        // garbage collector, whose finalizers would otherwise close some of them before the check.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(50, leak.Count);
        Assert.Equal(50, leak.Acquisitions.Count);
        Assert.Contains($"50 HTTP connections to {_server.Authority}", e.Message);
        http.Dispose();
    }
}
