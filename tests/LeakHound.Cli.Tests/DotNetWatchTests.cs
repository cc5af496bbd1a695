using System.Diagnostics;
using System.Text.Json;
using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Cli.Tests;

/// <summary><c>watch --dotnet</c> and <c>ps</c> against the sample service running as real processes.</summary>
public sealed class DotNetWatchTests
{
    private sealed class LeakyPair : IDisposable
    {
        public required Process Downstream { get; init; }

        public required Process Client { get; init; }

        public required string Address { get; init; }

        public void Dispose()
        {
            ChildProcess.Stop(Client);
            ChildProcess.Stop(Downstream);
            Client.Dispose();
            Downstream.Dispose();
        }
    }

    private static async Task<LeakyPair> StartPairAsync(params string[] clientExtra)
    {
        var downstream = ChildProcess.StartDll("LeakyService.dll", "downstream", "--port", "0", "--close-after", "30s");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await downstream.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("downstream did not start");
        var address = line["listening on ".Length..].Trim();
        var client = ChildProcess.StartDll("LeakyService.dll", ["client", "--target", $"http://{address}/x", "--rate", "20", .. clientExtra]);
        _ = client.StandardError.ReadToEndAsync(cts.Token);
        for (var i = 0; i < 200 && !Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{client.Id}-*-socket").Any(); i++)
        {
            await Task.Delay(50, cts.Token);
        }

        return new LeakyPair { Downstream = downstream, Client = client, Address = address };
    }

    private static List<JsonElement> Rounds(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static double Value(JsonElement round, string metric, string label, string labelValue, string state) => round.GetProperty("samples").EnumerateArray()
        .Where(s => s.GetProperty("metric").GetString() == metric
                    && s.GetProperty("labels").TryGetProperty(label, out var l) && l.GetString() == labelValue
                    && s.GetProperty("labels").GetProperty("state").GetString() == state)
        .Sum(s => s.GetProperty("value").GetDouble());

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task Watch_dotnet_alone_records_growing_active_connections_to_the_downstream()
    {
        using var pair = await StartPairAsync();
        using var dir = new TempDir();
        var db = dir.File("d.db");

        var result = await ChildProcess.RunLeakHoundAsync("watch", "--dotnet", pair.Client.Id.ToString(), "--interval", "1s", "--count", "4", "--json", "--out", db);

        Assert.True(result.ExitCode == 0, result.ToString());
        var rounds = Rounds(result.Stdout);
        Assert.Equal(4, rounds.Count);
        Assert.Equal(pair.Client.Id, rounds[^1].GetProperty("pid").GetInt32());
        var first = Value(rounds[0], "dotnet.http.connections", "server", pair.Address, "active");
        var last = Value(rounds[^1], "dotnet.http.connections", "server", pair.Address, "active");
        Assert.True(last - first >= 30, $"active {first} → {last}\n{result}");
        var stored = RecordingReader.Read(db);
        var series = stored.Find(SeriesKey.Of("dotnet.http.connections", ("server", pair.Address), ("state", "active")));
        Assert.NotNull(series);
        Assert.Equal(4, series.Points.Count);
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task Watch_pid_with_dotnet_puts_the_census_and_the_pools_on_one_line_per_round()
    {
        using var pair = await StartPairAsync();
        var pid = pair.Client.Id.ToString();

        var result = await ChildProcess.RunLeakHoundAsync("watch", "--pid", pid, "--dotnet", pid, "--interval", "1s", "--count", "3", "--out", Path.Combine(Path.GetTempPath(), $"lh-{Guid.NewGuid():N}.csv"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Contains($"pid={pid} tcp=", l, StringComparison.Ordinal));
        // A series appears with the first connection opened after the attach: by the last round, surely.
        Assert.Contains($"http.active[{pair.Address}]=", lines[^1], StringComparison.Ordinal);
        Assert.Contains("+ .NET pools", result.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task The_target_exiting_ends_the_watch_cleanly()
    {
        using var pair = await StartPairAsync("--duration", "4s");

        var result = await ChildProcess.RunLeakHoundAsync("watch", "--dotnet", pair.Client.Id.ToString(), "--interval", "1s", "--out", Path.Combine(Path.GetTempPath(), $"lh-{Guid.NewGuid():N}.csv"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"process {pair.Client.Id} exited; recorded", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("http.active[", result.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task A_process_that_is_not_dotnet_is_one_line_and_exit_1_alone_but_the_census_goes_on_with_pid()
    {
        using var sleep = Process.Start("sleep", "60");
        try
        {
            var alone = await ChildProcess.RunLeakHoundAsync("watch", "--dotnet", sleep.Id.ToString(), "--count", "1");
            Assert.Equal(1, alone.ExitCode);
            Assert.Equal($"leakhound: PID {sleep.Id} (sleep) is not a .NET process: it has no diagnostics socket ({Path.GetTempPath()}dotnet-diagnostic-{sleep.Id}-*-socket). --dotnet reads .NET connection pools; --pid counts any process's sockets.", alone.Stderr.Trim());
            Assert.Equal("", alone.Stdout);

            var withCensus = await ChildProcess.RunLeakHoundAsync("watch", "--pid", sleep.Id.ToString(), "--dotnet", "--interval", "100ms", "--count", "2", "--out", Path.Combine(Path.GetTempPath(), $"lh-{Guid.NewGuid():N}.csv"));
            Assert.True(withCensus.ExitCode == 0, withCensus.ToString());
            Assert.Contains("is not a .NET process", withCensus.Stderr, StringComparison.Ordinal);
            Assert.Contains("Counting its sockets only.", withCensus.Stderr, StringComparison.Ordinal);
            Assert.Equal(2, withCensus.Stdout.Split('\n').Count(l => l.Contains($"pid={sleep.Id} tcp=", StringComparison.Ordinal)));
        }
        finally
        {
            sleep.Kill();
            sleep.WaitForExit();
        }
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task Two_different_pids_or_dotnet_without_a_process_are_usage_errors()
    {
        var two = await ChildProcess.RunLeakHoundAsync("watch", "--pid", "1", "--dotnet", "2", "--count", "1");
        Assert.Equal(2, two.ExitCode);
        Assert.Contains("name two processes", two.Stderr, StringComparison.Ordinal);

        var none = await ChildProcess.RunLeakHoundAsync("watch", "--dotnet", "--count", "1");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--dotnet needs a PID", none.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task Ps_marks_the_dotnet_sample_as_attachable_and_sleep_as_not()
    {
        using var pair = await StartPairAsync("--fixed");
        using var sleep = Process.Start("sleep", "60");
        try
        {
            var result = await ChildProcess.RunLeakHoundAsync("ps", "--json");

            Assert.True(result.ExitCode == 0, result.ToString());
            var rows = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
            Assert.True(rows.Single(r => r.GetProperty("pid").GetInt32() == pair.Client.Id).GetProperty("dotnet_attachable").GetBoolean());
            Assert.False(rows.Single(r => r.GetProperty("pid").GetInt32() == sleep.Id).GetProperty("dotnet_attachable").GetBoolean());
        }
        finally
        {
            sleep.Kill();
            sleep.WaitForExit();
        }
    }
}
