using LeakHound.Sources.Postgres;
using LeakHound.TestSupport;

namespace LeakHound.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSuspectsTests(PostgresFixture fixture)
{
    private PostgresServer Server => fixture.Server;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Long_idle_connections_are_grouped_by_application_with_their_last_query()
    {
        await using var alpha = await Server.OpenIdleAsync("alpha-api", 3, "SELECT 'alpha: list orders'");
        await using var beta = await Server.OpenIdleAsync("beta-jobs", 2, "BEGIN; SELECT 'beta: lock row'");
        await Task.Delay(1100, Token);
        await using var young = await Server.OpenIdleAsync("gamma-young", 1);

        var report = await PgSuspects.FindAsync(Server.ConnectionString(), TimeSpan.FromSeconds(1), null, Token);

        var a = Assert.Single(report.Groups, g => g.Application == "alpha-api");
        Assert.Equal(3, a.Count);
        Assert.Equal(0, a.IdleInTransaction);
        Assert.Equal("SELECT 'alpha: list orders'", a.LastQuery);
        Assert.True(a.OldestIdleSeconds >= 1);
        var b = Assert.Single(report.Groups, g => g.Application == "beta-jobs");
        Assert.Equal(2, b.Count);
        Assert.Equal(2, b.IdleInTransaction);
        Assert.DoesNotContain(report.Groups, g => g.Application == "gamma-young");
        Assert.Null(report.PrivilegeNote);
        Assert.Contains(report.Advice, x => x.Contains("idle_in_transaction_session_timeout", StringComparison.Ordinal));
        Assert.Contains(report.Advice, x => x.Contains("idle_session_timeout", StringComparison.Ordinal) && !x.Contains("idle_in_transaction", StringComparison.Ordinal));
        Assert.Equal(a, report.Groups[0]);
    }

    [Fact]
    public async Task Database_filter_and_threshold_narrow_the_suspects()
    {
        await Server.ExecuteAsync("DROP DATABASE IF EXISTS suspects_other", "CREATE DATABASE suspects_other");
        await using var here = await Server.OpenIdleAsync("filter-here", 1);
        var elsewhere = new IdleConnections();
        await using var _ = elsewhere;
        var connection = new Npgsql.NpgsqlConnection(Server.ConnectionString(application: "filter-elsewhere", database: "suspects_other"));
        elsewhere.Add(connection);
        await connection.OpenAsync(Token);

        var filtered = await PgSuspects.FindAsync(Server.ConnectionString(), TimeSpan.Zero, "suspects_other", Token);
        var young = await PgSuspects.FindAsync(Server.ConnectionString(), TimeSpan.FromHours(1), null, Token);

        var only = Assert.Single(filtered.Groups);
        Assert.Equal("filter-elsewhere", only.Application);
        Assert.Equal("suspects_other", only.Database);
        Assert.DoesNotContain(young.Groups, g => g.Application.StartsWith("filter-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_role_without_pg_read_all_stats_is_told_what_it_cannot_see()
    {
        await using var others = await Server.OpenIdleAsync("someone-else", 2, "SELECT 'not yours'");
        await using var own = await Server.OpenIdleAsync("lowly-app", 1, "SELECT 'mine'", user: PostgresServer.LowRole);

        var report = await PgSuspects.FindAsync(Server.ConnectionString(PostgresServer.LowRole), TimeSpan.Zero, null, Token);

        Assert.False(report.Server.SeesAllSessions);
        Assert.NotNull(report.PrivilegeNote);
        Assert.Contains("you only see your own sessions' queries", report.PrivilegeNote);
        Assert.Contains("GRANT pg_read_all_stats TO lowly", report.PrivilegeNote);
        Assert.True(report.HiddenSessions >= 2, $"hidden {report.HiddenSessions}");
        var mine = Assert.Single(report.Groups);
        Assert.Equal("SELECT 'mine'", mine.LastQuery);
        Assert.DoesNotContain(report.Groups, g => g.LastQuery == PgBackend.InsufficientPrivilege);
    }

    [Fact]
    public async Task The_census_of_a_low_privilege_role_counts_hidden_sessions_as_unknown()
    {
        await using var others = await Server.OpenIdleAsync("someone-else-2", 2);
        await using var source = new PostgresSource(Server.ConnectionString(PostgresServer.LowRole), TimeSpan.Zero);

        var round = await PostgresCensusTests.CollectAsync(source);

        Assert.True(PostgresCensusTests.Value(round, PostgresCensusTests.App("someone-else-2", "unknown")) == 2);
        Assert.Contains(round.Events, e => e.Detail.Contains("you only see your own sessions' queries", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_query_with_markup_and_escapes_comes_back_unchanged()
    {
        const string query = "SELECT '<script>alert(1)</script>\u001b[2J\u001b[31m[bold]owned' AS trap";
        await using var trap = await Server.OpenIdleAsync("trap-app", 1, query);

        var report = await PgSuspects.FindAsync(Server.ConnectionString(), TimeSpan.Zero, null, Token);

        Assert.Equal(query, Assert.Single(report.Groups, g => g.Application == "trap-app").LastQuery);
    }
}
