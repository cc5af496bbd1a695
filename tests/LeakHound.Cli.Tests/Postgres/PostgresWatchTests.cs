using System.Text;
using System.Text.Json;
using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.TestSupport;

namespace LeakHound.Cli.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresWatchTests(PostgresFixture fixture)
{
    private PostgresServer Server => fixture.Server;

    [Fact]
    public async Task Watch_records_the_growth_of_a_leaking_application()
    {
        using var dir = new TempDir();
        var db = dir.File("pg.db");
        await using var leaked = new IdleConnections();
        var watch = ChildProcess.RunLeakHoundAsync("watch", "--postgres", Server.ConnectionString(), "--interval", "500ms", "--count", "10", "--out", db, "--pg-idle-threshold", "1s");
        for (var i = 0; i < 8 && !watch.IsCompleted; i++)
        {
            var more = await Server.OpenIdleAsync("leaky-web", 1, $"SELECT 'request {i}'");
            leaked.Add(more.Connections[0]);
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        var result = await watch;

        Assert.True(result.ExitCode == 0, result.ToString());
        var data = RecordingReader.Read(db);
        var series = data.Find(SeriesKey.Of(MetricNames.PgAppConnections, (MetricNames.ApplicationLabel, "leaky-web"), (MetricNames.StateLabel, "idle")));
        Assert.NotNull(series);
        var values = series.Points.Select(p => p.Value).ToList();
        Assert.True(values[^1] - values[0] >= 3, string.Join(",", values));
        Assert.True(values.Zip(values.Skip(1)).All(p => p.Second >= p.First), "never shrinks: " + string.Join(",", values));
        Assert.NotNull(data.Find(SeriesKey.Of(MetricNames.PgIdleLongerThanThreshold, (MetricNames.ApplicationLabel, "leaky-web"))));
        Assert.Contains("pg=", result.Stdout);
        Assert.Contains("max_connections=100", result.Stdout);
    }

    [Fact]
    public async Task Process_and_postgres_share_one_timeline_and_counts_match_pg_stat_activity()
    {
        using var dir = new TempDir();
        await using var idle = await Server.OpenIdleAsync("timeline-idle", 3);
        await using var tx = await Server.OpenIdleAsync("timeline-tx", 2, "BEGIN; SELECT 1");

        var result = await ChildProcess.RunLeakHoundAsync("watch", "--pid", Environment.ProcessId.ToString(), "--postgres", Server.ConnectionString(), "--count", "2", "--interval", "200ms", "--json", "--out", dir.File("t.db"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var rounds = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l)).ToList();
        Assert.Equal(2, rounds.Count);
        var last = rounds[^1].RootElement;
        Assert.Equal(Environment.ProcessId, last.GetProperty("pid").GetInt32());
        var samples = last.GetProperty("samples").EnumerateArray().ToList();
        Assert.Contains(samples, s => s.GetProperty("metric").GetString() == MetricNames.TcpConnections);
        foreach (var (state, label) in new[] { ("idle", "idle"), ("idle in transaction", "idle_in_transaction") })
        {
            var expected = await Server.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND state = '{state}' AND application_name <> 'leakhound' AND pid <> pg_backend_pid()");
            var recorded = samples.Single(s => s.GetProperty("metric").GetString() == MetricNames.PgConnections && s.GetProperty("labels").GetProperty("state").GetString() == label);
            Assert.Equal(expected, recorded.GetProperty("value").GetDouble());
        }
    }

    [Fact]
    public async Task A_wrong_password_is_one_line_exit_1_and_never_printed()
    {
        using var dir = new TempDir();
        const string wrong = "Planted-Wrong-Secret-4711";
        var cs = Server.ConnectionString(PostgresServer.PasswordRole, wrong);
        var db = dir.File("never.db");

        foreach (var args in new[]
                 {
                     new[] { "watch", "--postgres", cs, "--out", db },
                     ["pg", "suspects", "--conn", cs],
                     ["capacity", "--app", "web=1x1x1x1", "--conn", cs],
                 })
        {
            var result = await ChildProcess.RunLeakHoundAsync(args);

            Assert.True(result.ExitCode == 1, result.ToString());
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("leakhound: Could not connect to PostgreSQL as secretive@127.0.0.1:", line);
            Assert.Contains("password authentication failed", line);
            Assert.DoesNotContain(wrong, result.Stdout + result.Stderr);
            Assert.DoesNotContain("Exception", result.Stderr);
        }

        Assert.False(File.Exists(db), "nothing is recorded when the server refuses us");
    }

    [Fact]
    public async Task The_password_reaches_neither_the_output_nor_the_store()
    {
        using var dir = new TempDir();
        var db = dir.File("secret.db");
        var cs = Server.ConnectionString(PostgresServer.PasswordRole, PostgresServer.Password);

        var plain = await ChildProcess.RunLeakHoundAsync("watch", "--postgres", cs, "--count", "2", "--interval", "100ms", "--out", db);
        var json = await ChildProcess.RunLeakHoundAsync("watch", "--postgres", $"postgresql://{PostgresServer.PasswordRole}:{PostgresServer.Password}@127.0.0.1:{Server.Port}/postgres", "--count", "1", "--json", "--out", dir.File("uri.db"));

        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Contains("secretive@127.0.0.1", plain.Stdout);
        foreach (var text in new[] { plain.Stdout, plain.Stderr, json.Stdout, json.Stderr })
        {
            Assert.DoesNotContain(PostgresServer.Password, text);
        }

        foreach (var file in Directory.GetFiles(dir.Path))
        {
            Assert.DoesNotContain(PostgresServer.Password, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)));
        }
    }

    [Fact]
    public async Task An_unreachable_server_at_start_is_one_line()
    {
        var result = await ChildProcess.RunLeakHoundAsync("watch", "--postgres", "Host=127.0.0.1;Port=1;Username=x;Password=Unreach-Secret-99", "--out", "/tmp/leakhound-never.db");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("x@127.0.0.1:1/", line);
        Assert.Contains("refused", line);
        Assert.DoesNotContain("Unreach-Secret-99", result.Stderr + result.Stdout);
    }

    [Fact]
    public async Task A_malformed_connection_string_is_a_usage_error()
    {
        var result = await ChildProcess.RunLeakHoundAsync("watch", "--postgres", "Host=db;Password=Malformed-Secret-3;Nonsense=1");

        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("Malformed-Secret-3", result.Stderr);
    }
}
