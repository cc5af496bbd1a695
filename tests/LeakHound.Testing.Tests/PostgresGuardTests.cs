using System.Net.Sockets;
using LeakHound.TestSupport;
using Npgsql;

namespace LeakHound.Testing.Tests;

/// <summary>One real PostgreSQL 15 for the pool tests (tests/Shared/PostgresServer.cs).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

public sealed class PostgresGuardTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private static readonly LeakGuardOptions Quick = new() { Deadline = TimeSpan.FromMilliseconds(500) };

    private NpgsqlDataSource DataSource(string application) =>
        NpgsqlDataSource.Create(fixture.Server.ConnectionString(application: application, pooling: true));

    [Fact]
    public async Task A_connection_opened_in_another_thread_and_never_closed_fails_with_the_pool_name_and_the_stack()
    {
        await using var dataSource = DataSource("orders-service").WithLeakTracking();
        var guard = ConnectionLeakGuard.Start(Quick);

        NpgsqlConnection? leaked = null;
        var thread = new Thread(() => leaked = dataSource.OpenConnection()) { Name = "report-worker" };
        thread.Start();
        thread.Join();

        var e = await Assert.ThrowsAsync<ConnectionLeakException>(() => guard.AssertNoLeaksAsync());
        var leak = Assert.Single(e.Report!.Leaks);
        Assert.Equal(LeakKind.NpgsqlPool, leak.Target.Kind);
        Assert.Contains("orders-service", leak.Target.Name);
        Assert.Contains("1 Npgsql connection from pool '", e.Message);
        Assert.Contains("connection opened and not closed", e.Message);
        Assert.Contains($"{nameof(PostgresGuardTests)}.{nameof(A_connection_opened_in_another_thread_and_never_closed_fails_with_the_pool_name_and_the_stack)}() (lambda) in ", e.Message);
        Assert.DoesNotContain("Npgsql.NpgsqlDataSource", e.Message);

        await leaked!.DisposeAsync();
        await ConnectionLeakGuard.Start(Quick).AssertNoLeaksAsync();
    }

    [Fact]
    public async Task Connections_closed_in_time_under_load_pass_every_time()
    {
        await using var dataSource = DataSource("clean-under-load").WithLeakTracking();
        for (var run = 0; run < 5; run++)
        {
            await LeakAssert.UnderLoadAsync(async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync();
            }, iterations: 100, concurrency: 8);
        }
    }

    [Fact]
    public async Task Without_the_tracking_wrapper_the_pool_is_still_named()
    {
        await using var dataSource = DataSource("plain-pool");
        var guard = ConnectionLeakGuard.Start(Quick);
        var connection = await dataSource.OpenConnectionAsync();

        var report = await guard.StopAsync();
        Assert.Contains(report.Leaks, l => l.Target.Kind == LeakKind.NpgsqlPool && l.Target.Name.Contains("plain-pool", StringComparison.Ordinal));
        Assert.Contains("dataSource.WithLeakTracking()", report.Describe());
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task The_socket_census_catches_a_client_that_exposes_no_metrics()
    {
        var guard = ConnectionLeakGuard.Start(Quick with { Sockets = true });
        using var raw = new TcpClient();
        await raw.ConnectAsync("127.0.0.1", fixture.Server.Port);

        var report = await guard.StopAsync();
        Assert.True(report.HasLeaks);
        // A dual-mode socket's peer reads [::ffff:127.0.0.1]:PORT, as ss shows it.
        var leak = Assert.Single(report.Leaks, l => l.Target.Kind == LeakKind.Socket);
        Assert.Matches($@"^(\[::ffff:)?127\.0\.0\.1\]?:{fixture.Server.Port}$", leak.Target.Name);
        Assert.Contains($"1 TCP socket (established or close_wait) to {leak.Target.Name}", report.Describe());
        raw.Dispose();

        await ConnectionLeakGuard.Start(Quick with { Sockets = true }).AssertNoLeaksAsync();
    }
}
