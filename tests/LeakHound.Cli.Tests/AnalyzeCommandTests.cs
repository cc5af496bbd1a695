using System.Text.Json;

namespace LeakHound.Cli.Tests;

/// <summary>One real demo recording shared by the tests that analyse it (a demo takes ten seconds).</summary>
public sealed class DemoRecording : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    public string Path => _dir.File("demo.db");

    public async ValueTask InitializeAsync()
    {
        var demo = await ChildProcess.RunLeakHoundAsync(TimeSpan.FromSeconds(120), "demo", "--duration", "10s", "--interval", "1s", "--out", Path);
        Assert.True(demo.ExitCode == 0, demo.ToString());
    }

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class AnalyzeCommandTests(DemoRecording demo) : IClassFixture<DemoRecording>
{
    private const string Peer = @"(\[::ffff:)?127\.0\.0\.1\]?:\d+";

    [Fact]
    public async Task A_demo_recording_leaks_close_wait_towards_the_downstream_and_exits_1()
    {
        var result = await ChildProcess.RunLeakHoundAsync("analyze", demo.Path, "--capacity", "1024");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"close_wait is leaking: \+[\d,.]+/(min|h) \(95% CI [^)]*\) since \d\d:\d\d:\d\d UTC, towards " + Peer + @"; [\d,]+ now; the capacity of 1,024 is reached in", result.Stdout);
        Assert.Matches(@"the fd count is leaking: .* the fd limit of [\d,]+ is reached in", result.Stdout);
        Assert.Matches(@"series flat at 0", result.Stdout);
        Assert.DoesNotMatch(@"leaking\s+established", result.Stdout);
    }

    [Fact]
    public async Task Json_has_every_field_of_the_schema()
    {
        var result = await ChildProcess.RunLeakHoundAsync("analyze", demo.Path, "--json", "--metric", "process.tcp");

        Assert.True(result.ExitCode == 1, result.ToString());
        var rows = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
        Assert.All(rows, r => Assert.StartsWith("process.tcp", r.GetProperty("metric").GetString(), StringComparison.Ordinal));
        string[] fields = ["key", "metric", "labels", "verdict", "slope_per_hour", "slope_ci", "p_value", "onset", "capacity",
            "time_to_capacity_seconds", "last", "points", "from", "to", "segments", "summary"];
        Assert.All(rows, r => Assert.All(fields, f => Assert.True(r.TryGetProperty(f, out _), $"{r} lacks {f}")));
        var closeWait = rows.Single(r => r.GetProperty("key").GetString() == "process.tcp.connections{state=\"close_wait\"}");
        Assert.Equal("leaking", closeWait.GetProperty("verdict").GetString());
        var ci = closeWait.GetProperty("slope_ci").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var slope = closeWait.GetProperty("slope_per_hour").GetDouble();
        Assert.True(ci[0] <= slope && slope <= ci[1] && ci[0] > 0, closeWait.ToString());
        Assert.Matches(Peer, closeWait.GetProperty("towards").GetString()!);
        Assert.True(closeWait.GetProperty("p_value").GetDouble() < 0.01);
        Assert.Equal(JsonValueKind.String, closeWait.GetProperty("onset").ValueKind);
        var peerLeak = rows.Single(r => r.GetProperty("metric").GetString() == "process.tcp.peer.connections"
            && r.GetProperty("labels").GetProperty("state").GetString() == "close_wait");
        Assert.Equal("leaking", peerLeak.GetProperty("verdict").GetString());
        Assert.Equal("stable", rows.Single(r => r.GetProperty("key").GetString() == "process.tcp.connections{state=\"listen\"}").GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task A_fixed_client_recording_does_not_leak_and_exits_0()
    {
        using var dir = new TempDir();
        var db = dir.File("fixed.db");
        using var downstream = ChildProcess.StartDll("LeakyService.dll", "downstream");
        using var client = await StartFixedClientAsync(downstream);
        try
        {
            // Let the client make its first calls before the watch begins, as a service under watch would have.
            await Task.Delay(1500);
            var watch = await ChildProcess.RunLeakHoundAsync("watch", "--pid", client.Id.ToString(), "--count", "15", "--interval", "500ms", "--out", db);
            Assert.True(watch.ExitCode == 0, watch.ToString());
        }
        finally
        {
            ChildProcess.Stop(client);
            ChildProcess.Stop(downstream);
        }

        var result = await ChildProcess.RunLeakHoundAsync("analyze", db);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("No leak", result.Stdout);
        Assert.DoesNotContain("is leaking", result.Stdout);
    }

    [Fact]
    public async Task The_seeds_tracking_log_is_analysed_and_a_flat_one_passes()
    {
        using var dir = new TempDir();
        var leaky = dir.File("tracking.log");
        var flat = dir.File("flat.log");
        await File.WriteAllLinesAsync(leaky, Enumerable.Range(0, 300).Select(i => $"{1487279261 + (i * 5)},{6 + (i / 25)}"));
        await File.WriteAllLinesAsync(flat, Enumerable.Range(0, 300).Select(i => $"{1487279261 + (i * 5)},{6 + (i % 3)}"));

        var leaking = await ChildProcess.RunLeakHoundAsync("analyze", leaky, "--capacity", "1024");
        var stable = await ChildProcess.RunLeakHoundAsync("analyze", flat);

        Assert.True(leaking.ExitCode == 1, leaking.ToString());
        Assert.Matches(@"value is leaking: \+[\d.]+/h .* the capacity of 1,024 is reached in", leaking.Stdout);
        Assert.True(stable.ExitCode == 0, stable.ToString());
        Assert.Matches(@"stable\s+value", stable.Stdout);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("1487279261,6\n1487279266,six\n", "bad.csv:2: 'six' is not a number")]
    [InlineData("1487279261,6\n1487279266,NaN\n", "bad.csv:2: 'NaN' is not a number")]
    public async Task Bad_files_get_one_line_naming_the_file(string content, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.csv");
        await File.WriteAllTextAsync(path, content);

        var result = await ChildProcess.RunLeakHoundAsync("analyze", path);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(expected, result.Stderr);
        Assert.Contains("bad.csv", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_an_unknown_metric_exits_1()
    {
        var capacity = await ChildProcess.RunLeakHoundAsync("analyze", demo.Path, "--capacity", "-5");
        var metric = await ChildProcess.RunLeakHoundAsync("analyze", demo.Path, "--metric", "no.such.metric");

        Assert.True(capacity.ExitCode == 2, capacity.ToString());
        Assert.True(metric.ExitCode == 1, metric.ToString());
        Assert.Contains("No series", metric.Stderr);
    }

    private static async Task<System.Diagnostics.Process> StartFixedClientAsync(System.Diagnostics.Process downstream)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await downstream.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("the downstream exited before listening");
        var address = line.Replace("listening on ", "", StringComparison.Ordinal).Trim();
        return ChildProcess.StartDll("LeakyService.dll", "client", "--target", $"http://{address}", "--fixed");
    }
}
