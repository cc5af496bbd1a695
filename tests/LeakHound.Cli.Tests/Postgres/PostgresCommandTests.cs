using System.Text.Json;
using LeakHound.TestSupport;

namespace LeakHound.Cli.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresCommandTests(PostgresFixture fixture)
{
    private const string Trap = "SELECT '<script>alert(1)</script>\u001b[2J\u001b[31m[bold]owned' AS trap";

    private PostgresServer Server => fixture.Server;

    [Fact]
    public async Task Suspects_shows_hostile_query_text_harmlessly()
    {
        await using var trap = await Server.OpenIdleAsync("trap-cli", 2, Trap);

        var table = await ChildProcess.RunLeakHoundAsync("pg", "suspects", "--conn", Server.ConnectionString(), "--idle-longer-than", "0");
        var json = await ChildProcess.RunLeakHoundAsync("pg", "suspects", "--conn", Server.ConnectionString(), "--idle-longer-than", "0", "--json");

        Assert.True(table.ExitCode == 1, table.ToString()); // suspects found
        Assert.Contains("trap-cli", table.Stdout);
        Assert.Contains("<script>alert(1)</script>", table.Stdout);
        Assert.Contains("[bold]owned", table.Stdout); // shown as text, not taken as markup
        Assert.DoesNotContain('\u001b', table.Stdout);
        Assert.Contains("idle_session_timeout", table.Stdout);

        Assert.Equal(1, json.ExitCode);
        Assert.DoesNotContain('\u001b', json.Stdout);
        Assert.DoesNotContain("<script>", json.Stdout); // escaped as \u003C, safe to paste into a page
        using var doc = JsonDocument.Parse(json.Stdout);
        var group = doc.RootElement.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("application").GetString() == "trap-cli");
        Assert.Equal(2, group.GetProperty("count").GetInt32());
        Assert.Equal(Trap, group.GetProperty("last_query").GetString());
    }

    [Fact]
    public async Task Suspects_tells_a_low_privilege_role_what_it_cannot_see()
    {
        await using var others = await Server.OpenIdleAsync("not-for-lowly", 1);

        var result = await ChildProcess.RunLeakHoundAsync("pg", "suspects", "--conn", Server.ConnectionString(PostgresServer.LowRole), "--idle-longer-than", "1h");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("you only see your own sessions' queries", result.Stdout);
        Assert.Contains("GRANT pg_read_all_stats TO lowly", result.Stdout);
    }

    [Fact]
    public async Task Capacity_fails_when_the_plan_can_exceed_the_limit()
    {
        var over = await ChildProcess.RunLeakHoundAsync("capacity", "--app", "web=10x5x4x3", "--max-connections", "100");
        var fits = await ChildProcess.RunLeakHoundAsync("capacity", "--app", "api=pool:5,processes:2,hosts:4", "--app", "jobs=pool:5", "--max-connections", "100", "--json");
        var bad = await ChildProcess.RunLeakHoundAsync("capacity", "--app", "web=10x5", "--max-connections", "100");

        Assert.True(over.ExitCode == 1, over.ToString());
        Assert.Contains("600", over.Stdout);
        Assert.Contains("503 more than the limit", over.Stdout);
        Assert.True(fits.ExitCode == 0, fits.ToString());
        using var doc = JsonDocument.Parse(fits.Stdout);
        Assert.Equal(45, doc.RootElement.GetProperty("total").GetInt64());
        Assert.Equal(52, doc.RootElement.GetProperty("headroom").GetInt64());
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task Capacity_reads_the_live_limit_and_what_each_application_holds()
    {
        await using var web = await Server.OpenIdleAsync("cap-web", 3);

        var result = await ChildProcess.RunLeakHoundAsync("capacity", "--app", "cap-web=pool:2", "--conn", Server.ConnectionString(), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(97, doc.RootElement.GetProperty("limit").GetInt32());
        var app = doc.RootElement.GetProperty("applications")[0];
        Assert.Equal(3, app.GetProperty("now").GetInt32());
        var text = await ChildProcess.RunLeakHoundAsync("capacity", "--app", "cap-web=pool:2", "--conn", Server.ConnectionString());
        Assert.Contains("cap-web holds 3 connections, more than its plan of 2", text.Stdout);
    }
}
