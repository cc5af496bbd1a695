using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.Sources;
using LeakHound.Sources.Postgres;
using LeakHound.TestSupport;
using Npgsql;

namespace LeakHound.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresCensusTests(PostgresFixture fixture)
{
    private PostgresServer Server => fixture.Server;

    [Fact]
    public async Task Idle_connections_of_a_named_application_are_counted()
    {
        await using var idle = await Server.OpenIdleAsync("billing-worker", 4, "SELECT 'invoice batch'");
        await using var source = new PostgresSource(Server.ConnectionString(), TimeSpan.Zero);

        var round = await CollectAsync(source);

        Assert.Equal(4, Value(round, App("billing-worker", "idle")));
        Assert.Equal(4, Value(round, SeriesKey.Of(MetricNames.PgIdleLongerThanThreshold, (MetricNames.ApplicationLabel, "billing-worker"))));
        Assert.Equal(100, Value(round, SeriesKey.Of(MetricNames.PgMaxConnections)));
        Assert.Equal(3, Value(round, SeriesKey.Of(MetricNames.PgReservedConnections)));
        Assert.DoesNotContain(round.Samples, s => s.Key.Label(MetricNames.ApplicationLabel) == ConnectionStrings.ApplicationName);
    }

    [Fact]
    public async Task State_counts_match_pg_stat_activity()
    {
        await using var idle = await Server.OpenIdleAsync("match-idle", 3);
        await using var tx = await Server.OpenIdleAsync("match-tx", 2, "BEGIN; SELECT 1");
        await using var source = new PostgresSource(Server.ConnectionString(), TimeSpan.FromMinutes(10));

        var round = await CollectAsync(source);

        foreach (var (state, label) in new[] { ("idle", "idle"), ("idle in transaction", "idle_in_transaction"), ("active", "active") })
        {
            // LeakHound's own connection is excluded by the census, and the checking session by pg_backend_pid().
            var expected = await Server.ScalarAsync(
                $"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND state = '{state}' " +
                $"AND pid <> pg_backend_pid() AND application_name <> '{ConnectionStrings.ApplicationName}'");
            Assert.Equal(expected, Value(round, SeriesKey.Of(MetricNames.PgConnections, (MetricNames.StateLabel, label))));
        }

        Assert.Equal(3, Value(round, App("match-idle", "idle")));
        Assert.Equal(2, Value(round, App("match-tx", "idle_in_transaction")));
        Assert.Equal(PgCensus.States.Count, round.Samples.Count(s => s.Key.Metric == MetricNames.PgConnections));
    }

    [Fact]
    public async Task A_session_idle_in_transaction_ages()
    {
        await using var tx = await Server.OpenIdleAsync("forgot-commit", 1, "BEGIN; UPDATE pg_catalog.pg_class SET relname = relname WHERE false");
        await Task.Delay(1200);
        await using var source = new PostgresSource(Server.ConnectionString(), TimeSpan.FromSeconds(1));

        var round = await CollectAsync(source);

        Assert.True(Value(round, SeriesKey.Of(MetricNames.PgOldestIdleInTransactionSeconds)) >= 1, "oldest idle in transaction is at least the second waited");
        Assert.Equal(1, Value(round, App("forgot-commit", "idle_in_transaction")));
        Assert.Equal(1, Value(round, SeriesKey.Of(MetricNames.PgIdleLongerThanThreshold, (MetricNames.ApplicationLabel, "forgot-commit"))));
    }

    [Fact]
    public async Task A_thread_that_never_returns_its_connection_grows_round_after_round()
    {
        // Seed 004: requests check connections out of the pool on the request thread and give them back; a helper
        // thread started by each request checks one out too and never checks it in.
        await using var pool = NpgsqlDataSource.Create(Server.ConnectionString(application: "rails-puma", pooling: true));
        await using var census = new PostgresSource(Server.ConnectionString(), TimeSpan.Zero);
        var leaked = new List<NpgsqlConnection>();
        var counts = new List<double>();
        for (var request = 1; request <= 5; request++)
        {
            await using (var own = await pool.OpenConnectionAsync())
            {
                await using var cmd = new NpgsqlCommand("SELECT 'render page'", own);
                await cmd.ExecuteScalarAsync();
            }

            var n = request;
            var thread = new Thread(() =>
            {
                var connection = pool.OpenConnection();
                using var cmd = new NpgsqlCommand($"SELECT 'audit log from thread {n}'", connection);
                cmd.ExecuteScalar();
                lock (leaked)
                {
                    leaked.Add(connection); // kept only so the test can clean up; the "application" never closes it
                }
            });
            thread.Start();
            thread.Join();

            var round = await CollectAsync(census);
            counts.Add(Value(round, App("rails-puma", "idle")));
        }

        try
        {
            // Each request gives its connection back and its thread takes it from the pool and keeps it:
            // one more connection per request, never given back.
            Assert.Equal([1, 2, 3, 4, 5], counts);
            var report = await PgSuspects.FindAsync(Server.ConnectionString(), TimeSpan.Zero, "postgres", TestContext.Current.CancellationToken);
            var group = Assert.Single(report.Groups, g => g.Application == "rails-puma");
            Assert.Equal(5, group.Count);
            Assert.Equal("127.0.0.1", group.Client);
            Assert.Equal("postgres", group.User);
            Assert.StartsWith("SELECT 'audit log from thread", group.LastQuery, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var c in leaked)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_application_that_disappears_ends_at_zero()
    {
        await using var source = new PostgresSource(Server.ConnectionString(), TimeSpan.Zero);
        var idle = await Server.OpenIdleAsync("short-lived", 2);
        var first = await CollectAsync(source);
        await idle.DisposeAsync();
        await WaitUntilAsync(async () => await Server.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'short-lived'") == 0);

        var second = await CollectAsync(source);

        Assert.Equal(2, Value(first, App("short-lived", "idle")));
        Assert.Equal(0, Value(second, App("short-lived", "idle")));
    }

    [Fact]
    public async Task Many_applications_are_bounded_to_the_top_and_other()
    {
        var held = new List<IdleConnections>();
        try
        {
            for (var i = 0; i < PgCensus.TopApplications + 3; i++)
            {
                held.Add(await Server.OpenIdleAsync($"tenant-{i:00}", i < 5 ? 2 : 1));
            }

            await using var source = new PostgresSource(Server.ConnectionString(), TimeSpan.FromHours(1));
            var round = await CollectAsync(source);

            var apps = round.Samples.Where(s => s.Key.Metric == MetricNames.PgAppConnections)
                .Select(s => s.Key.Label(MetricNames.ApplicationLabel)).Distinct().ToList();
            Assert.True(apps.Count <= PgCensus.TopApplications + 1, string.Join(", ", apps));
            Assert.Contains(PgCensus.OtherApplication, apps);
            Assert.Contains("tenant-00", apps);
            var total = round.Samples.Where(s => s.Key.Metric == MetricNames.PgAppConnections).Sum(s => s.Value);
            Assert.Equal(round.Samples.Where(s => s.Key.Metric == MetricNames.PgConnections).Sum(s => s.Value), total);
        }
        finally
        {
            foreach (var h in held)
            {
                await h.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_wrong_password_is_one_masked_line()
    {
        const string wrong = "Wr0ng-but-still-secret-91";
        var cs = Server.ConnectionString(PostgresServer.PasswordRole, wrong);
        await using var source = new PostgresSource(cs, TimeSpan.Zero);

        var e = await Assert.ThrowsAsync<LeakHoundException>(() => source.CheckAsync(TestContext.Current.CancellationToken));

        Assert.Contains("password authentication failed", e.Message);
        Assert.Contains($"{PostgresServer.PasswordRole}@127.0.0.1:{Server.Port}", e.Message);
        Assert.DoesNotContain(wrong, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task The_right_password_connects()
    {
        await using var source = new PostgresSource(Server.ConnectionString(PostgresServer.PasswordRole, PostgresServer.Password), TimeSpan.Zero);

        var info = await source.CheckAsync(TestContext.Current.CancellationToken);

        Assert.Equal(PostgresServer.PasswordRole, info.CurrentUser);
        Assert.Equal(97, info.Capacity);
    }

    [Fact]
    public async Task Census_queries_cannot_write()
    {
        await using var dataSource = ConnectionStrings.OpenDataSource(Server.ConnectionString());
        await using var connection = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("CREATE TABLE leakhound_must_not_write (x int)", connection);

        var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));

        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, e.SqlState);
    }

    internal static async Task<RoundBuilder> CollectAsync(ISampleSource source)
    {
        var round = new RoundBuilder(DateTimeOffset.UtcNow);
        await source.CollectAsync(round, TestContext.Current.CancellationToken);
        return round;
    }

    internal static double Value(RoundBuilder round, SeriesKey key)
    {
        var found = round.Samples.Where(s => s.Key == key).ToList();
        Assert.True(found.Count == 1, $"{key} not in the round: {string.Join(", ", round.Samples.Select(s => $"{s.Key}={s.Value}"))}; events: {string.Join("; ", round.Events.Select(e => e.Detail))}");
        return found[0].Value;
    }

    internal static SeriesKey App(string application, string state) =>
        SeriesKey.Of(MetricNames.PgAppConnections, (MetricNames.ApplicationLabel, application), (MetricNames.StateLabel, state));

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("condition not met in 5 s");
    }
}
