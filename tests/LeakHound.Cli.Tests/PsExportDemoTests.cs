using System.Text.Json;

namespace LeakHound.Cli.Tests;

public sealed class PsExportDemoTests
{
    [Fact]
    public async Task Ps_lists_a_process_with_its_sockets_and_close_wait()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 20, closeWait: 7);

        var result = await ChildProcess.RunLeakHoundAsync("ps", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().Single(p => p.GetProperty("pid").GetInt32() == holder.Pid);
        Assert.Equal(7, row.GetProperty("close_wait").GetInt32());
        Assert.Equal(13 * 2 + 7 + 1, row.GetProperty("tcp").GetInt32());
        Assert.True(row.GetProperty("fds").GetInt32() >= 34);
    }

    [Fact]
    public async Task Ps_ranks_by_close_wait()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 60, closeWait: 55);

        var result = await ChildProcess.RunLeakHoundAsync("ps", "--sort", "close-wait", "--top", "3");

        Assert.True(result.ExitCode == 0, result.ToString());
        var firstRow = result.Stdout.Split('\n').First(l => l.TrimStart().StartsWith(holder.Pid.ToString() + " ", StringComparison.Ordinal) || l.Contains($" {holder.Pid} "));
        Assert.Contains("55", firstRow);
    }

    [Fact]
    public async Task Export_writes_a_wide_csv_of_a_recording()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 4, closeWait: 3);
        using var dir = new TempDir();
        var db = dir.File("e.db");
        var csv = dir.File("e.csv");
        var watch = await ChildProcess.RunLeakHoundAsync("watch", "--pid", holder.Pid.ToString(), "--interval", "100ms", "--count", "3", "--out", db);
        Assert.True(watch.ExitCode == 0, watch.ToString());

        var result = await ChildProcess.RunLeakHoundAsync("export", db, "--csv", csv, "--metric", "process.tcp.connections");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = File.ReadAllLines(csv);
        Assert.Equal(4, lines.Length);
        var header = lines[0].Split(',');
        var column = Array.FindIndex(header, h => h.Contains("close_wait"));
        Assert.True(column > 0, lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Equal("3", l.Split(',')[column]));
        Assert.DoesNotContain(header, h => h.Contains("process.fds"));
    }

    [Fact]
    public async Task Export_json_holds_every_series_with_its_points_and_the_events()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 4, closeWait: 3);
        using var dir = new TempDir();
        var db = dir.File("j.db");
        var watch = await ChildProcess.RunLeakHoundAsync("watch", "--pid", holder.Pid.ToString(), "--interval", "100ms", "--count", "3", "--out", db);
        Assert.True(watch.ExitCode == 0, watch.ToString());

        var result = await ChildProcess.RunLeakHoundAsync("export", db, "--json", "-");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var series = json.RootElement.GetProperty("series").EnumerateArray().ToList();
        var closeWait = series.Single(s => s.GetProperty("key").GetString() == "process.tcp.connections{state=\"close_wait\"}");
        Assert.Equal("close_wait", closeWait.GetProperty("labels").GetProperty("state").GetString());
        var points = closeWait.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(3, points.Count);
        Assert.All(points, p => Assert.Equal(3, p[1].GetDouble()));
        Assert.True(DateTimeOffset.TryParse(points[0][0].GetString(), out _));
        Assert.Equal(LeakHound.Recording.RecordingReader.Read(db).Series.Count, series.Count);
        Assert.Contains(json.RootElement.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "start");
    }

    [Fact]
    public async Task Export_needs_one_target_and_never_overwrites_the_recording()
    {
        using var dir = new TempDir();
        var db = dir.File("keep.db");
        var watch = await ChildProcess.RunLeakHoundAsync("watch", "--command", "x=echo 1", "--interval", "100ms", "--count", "2", "--out", db);
        Assert.True(watch.ExitCode == 0, watch.ToString());
        var before = await File.ReadAllBytesAsync(db);

        var neither = await ChildProcess.RunLeakHoundAsync("export", db);
        var itself = await ChildProcess.RunLeakHoundAsync("export", db, "--csv", db);

        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("Give one of --csv FILE or --json FILE", neither.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, itself.ExitCode);
        Assert.Contains("would destroy it", itself.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(db));
    }

    [Fact]
    public async Task Demo_json_prints_only_the_result_with_progress_on_stderr()
    {
        using var dir = new TempDir();
        var db = dir.File("demo-json.db");

        var result = await ChildProcess.RunLeakHoundAsync(TimeSpan.FromSeconds(120), "demo", "--duration", "8s", "--interval", "1s", "--out", db, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.True(json.RootElement.GetProperty("leaking").GetBoolean(), result.Stdout);
        Assert.Equal(db, json.RootElement.GetProperty("store").GetString());
        Assert.True(File.Exists(json.RootElement.GetProperty("report").GetString()));
        Assert.Contains(json.RootElement.GetProperty("verdicts").EnumerateArray(),
            v => v.GetProperty("key").GetString() == "process.tcp.connections{state=\"close_wait\"}" && v.GetProperty("verdict").GetString() == "leaking");
        Assert.Contains("close_wait=", result.Stderr, StringComparison.Ordinal); // the rounds, as progress
    }

    [Fact]
    public async Task Demo_finds_the_close_wait_leak_and_names_the_downstream()
    {
        using var dir = new TempDir();
        var db = dir.File("demo.db");

        var result = await ChildProcess.RunLeakHoundAsync(TimeSpan.FromSeconds(120), "demo", "--duration", "8s", "--interval", "1s", "--out", db);

        Assert.True(result.ExitCode == 0, result.ToString());
        // .NET's HttpClient uses dual-mode sockets, so ss and LeakHound both show the peer IPv4-mapped.
        Assert.Matches(@"close_wait is leaking: \+[\d,.]+/(min|h) \(95% CI .*\) since \d\d:\d\d:\d\d UTC, towards (\[::ffff:)?127\.0\.0\.1\]?:\d+", result.Stdout);
        Assert.Matches(@"the fd count is leaking: .* the fd limit of [\d,]+ is reached in", result.Stdout);
        Assert.Contains(db, result.Stdout.Replace("\n", "", StringComparison.Ordinal));
        var stored = LeakHound.Recording.RecordingReader.Read(db);
        var closeWait = stored.Find(LeakHound.Samples.SeriesKey.Of("process.tcp.connections", ("state", "close_wait")))!;
        Assert.True(closeWait.Points[^1].Value >= 20, $"close_wait only reached {closeWait.Points[^1].Value}");
    }
}
