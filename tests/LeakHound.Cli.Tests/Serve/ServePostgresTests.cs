using System.Text.Json;
using LeakHound.Cli.Tests.Postgres;
using LeakHound.TestSupport;

namespace LeakHound.Cli.Tests.Serve;

/// <summary>serve with --postgres: the suspects table in the dashboard, PostgreSQL series on /metrics, hostile application names as text.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ServePostgresTests(PostgresFixture fixture)
{
    private const string Hostile = "<img src=x onerror=\"window.pwned=1\">app";

    [Fact]
    public async Task The_suspects_table_shows_idle_connections_and_their_hostile_names_as_text()
    {
        var server = fixture.Server;
        await using var idle = await server.OpenIdleAsync(Hostile, 3, "SELECT '<script>window.pwned=2</script>'");
        using var dir = new TempDir();
        using var serve = await ServeProcess.StartAsync("--postgres", server.ConnectionString(), "--interval", "500ms", "--out", dir.File("pg.db"), "--pg-idle-threshold", "1s");
        using var http = new HttpClient();

        await Task.Delay(1500, TestContext.Current.CancellationToken);
        var json = await http.GetStringAsync(serve.Url + "/api/suspects", TestContext.Current.CancellationToken);
        Assert.DoesNotContain("<", json);
        var suspects = JsonDocument.Parse(json).RootElement;
        Assert.True(suspects.GetProperty("enabled").GetBoolean());
        var group = suspects.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("application").GetString() == Hostile);
        Assert.Equal(3, group.GetProperty("count").GetInt32());
        Assert.Contains("<script>", group.GetProperty("lastQuery").GetString());

        var metrics = await http.GetStringAsync(serve.Url + "/metrics", TestContext.Current.CancellationToken);
        Assert.Contains("# TYPE leakhound_postgres_connections gauge", metrics);
        Assert.Contains("leakhound_postgres_max_connections 100", metrics);
        Assert.Contains($"leakhound_postgres_app_connections{{application=\"{Hostile.Replace("\"", "\\\"", StringComparison.Ordinal)}\",state=\"idle\"}} 3", metrics);

        await using var browser = await DevToolsChromium.OpenAsync(serve.Url + "/");
        await browser.WaitForAsync("document.querySelectorAll('#lh-suspects tbody tr').length > 0", TimeSpan.FromSeconds(30), "the suspects table");
        var page = (await browser.EvaluateAsync(
            "({ pwned: window.pwned || 0, imgs: document.querySelectorAll('img').length, scripts: document.scripts.length, hidden: document.getElementById('lh-suspects-section').hidden, text: document.getElementById('lh-suspects').innerText })"))!;
        Assert.Equal(0, (int)page["pwned"]!);
        Assert.Equal(0, (int)page["imgs"]!);
        Assert.Equal(3, (int)page["scripts"]!); // uPlot, charts.js, dashboard.js
        Assert.False((bool)page["hidden"]!);
        Assert.Contains(Hostile, (string)page["text"]!);
    }
}
