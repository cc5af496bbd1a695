using System.Text.Json;
using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Cli.Tests;

public sealed class WatchCommandTests
{
    [Fact]
    public async Task Json_rounds_count_close_wait_and_established_exactly()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 30, closeWait: 12);
        using var dir = new TempDir();
        var db = dir.File("w.db");

        var result = await ChildProcess.RunLeakHoundAsync("watch", "--pid", holder.Pid.ToString(), "--interval", "200ms", "--count", "3", "--json", "--out", db);

        Assert.True(result.ExitCode == 0, result.ToString());
        var rounds = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l)).ToList();
        Assert.Equal(3, rounds.Count);
        var last = rounds[^1].RootElement;
        Assert.Equal(holder.Pid, last.GetProperty("pid").GetInt32());
        Assert.True(DateTimeOffset.TryParse(last.GetProperty("time").GetString(), out _));
        double State(string state) => last.GetProperty("samples").EnumerateArray()
            .Where(s => s.GetProperty("metric").GetString() == "process.tcp.connections" && s.GetProperty("labels").GetProperty("state").GetString() == state)
            .Select(s => s.GetProperty("value").GetDouble()).Single();

        // 30 pairs in one process: 18 full pairs (36 established) + 12 client halves in CLOSE_WAIT.
        Assert.Equal(12, State("close_wait"));
        Assert.Equal(36, State("established"));
        Assert.Equal(1, State("listen"));

        var stored = RecordingReader.Read(db);
        var closeWait = stored.Find(SeriesKey.Of("process.tcp.connections", ("state", "close_wait")));
        Assert.NotNull(closeWait);
        Assert.Equal(3, closeWait.Points.Count);
        Assert.All(closeWait.Points, p => Assert.Equal(12, p.Value));
        Assert.Contains(stored.Events, e => e.Kind == EventKind.Start);
    }

    [Fact]
    public async Task Plain_lines_when_not_on_a_terminal_and_csv_out()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 5, closeWait: 2);
        using var dir = new TempDir();
        var csv = dir.File("w.csv");

        var result = await ChildProcess.RunLeakHoundAsync("watch", "--pid", holder.Pid.ToString(), "--interval", "100ms", "--count", "2", "--out", csv);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Contains("close_wait=2", l));
        Assert.All(lines, l => Assert.Contains($"pid={holder.Pid}", l));
        var stored = RecordingReader.Read(csv);
        Assert.Equal(2, stored.Find(SeriesKey.Of("process.tcp.connections", ("state", "close_wait")))!.Points.Count);
    }

    [Fact]
    public async Task A_command_is_sampled_with_no_process()
    {
        using var dir = new TempDir();
        var result = await ChildProcess.RunLeakHoundAsync("watch", "--command", "answer=echo 42", "--interval", "100ms", "--count", "2", "--json", "--out", dir.File("c.db"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var values = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("samples").EnumerateArray().Single(s => s.GetProperty("metric").GetString() == "command.answer").GetProperty("value").GetDouble())
            .ToList();
        Assert.Equal([42.0, 42.0], values);
    }

    [Fact]
    public async Task Watch_of_a_pid_ends_cleanly_when_the_process_exits()
    {
        var holder = await SocketHolder.StartAsync(pairs: 2, closeWait: 0);
        using var dir = new TempDir();
        var db = dir.File("exit.db");
        var watch = ChildProcess.RunLeakHoundAsync("watch", "--pid", holder.Pid.ToString(), "--interval", "100ms", "--out", db);
        await Task.Delay(1500);
        holder.Dispose();

        var result = await watch;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("exited", result.Stderr);
        var stored = RecordingReader.Read(db);
        Assert.Contains(stored.Events, e => e.Kind == EventKind.End && e.Detail.Contains("exited"));
        Assert.NotEmpty(stored.Series);
    }

    [Fact]
    public async Task Watch_by_name_follows_a_restart_and_records_it()
    {
        var marker = "lh-restart-" + Guid.NewGuid().ToString("N")[..8];
        using var dir = new TempDir();
        var db = dir.File("restart.db");
        var first = await SocketHolder.StartAsync(3, 1, "--tag", marker);
        var watch = ChildProcess.RunLeakHoundAsync(TimeSpan.FromSeconds(60), "watch", "--name", marker, "--interval", "100ms", "--count", "60", "--out", db);
        await Task.Delay(1500);
        var firstPid = first.Pid;
        first.Dispose();
        await Task.Delay(800);
        using var second = await SocketHolder.StartAsync(4, 2, "--tag", marker);

        var result = await watch;

        Assert.True(result.ExitCode == 0, result.ToString());
        var stored = RecordingReader.Read(db);
        Assert.Contains(stored.Events, e => e.Kind == EventKind.Gap && e.Detail.Contains(firstPid.ToString()));
        Assert.Contains(stored.Events, e => e.Kind == EventKind.Restart && e.Pid == second.Pid);
        var closeWait = stored.Find(SeriesKey.Of("process.tcp.connections", ("state", "close_wait")))!;
        Assert.Equal(1, closeWait.Points[0].Value);
        Assert.Equal(2, closeWait.Points[^1].Value);
    }

    [Fact]
    public async Task Ctrl_c_ends_the_watch_cleanly_with_everything_recorded()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 3, closeWait: 1);
        using var dir = new TempDir();
        var db = dir.File("int.db");
        using var watch = ChildProcess.StartDll("leakhound.dll", "watch", "--pid", holder.Pid.ToString(), "--interval", "100ms", "--out", db);
        var stdout = watch.StandardOutput.ReadToEndAsync();
        var stderr = watch.StandardError.ReadToEndAsync();
        await Task.Delay(2000);

        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", watch.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        await watch.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(watch.ExitCode == 0, await stderr);
        var stored = RecordingReader.Read(db);
        Assert.Contains(stored.Events, e => e.Kind == EventKind.End && e.Detail.Contains("stopped"));
        var rounds = (await stdout).Split('\n').Count(l => l.Contains($"pid={holder.Pid}"));
        Assert.Equal(rounds, stored.Find(SeriesKey.Of("process.fds"))!.Points.Count);
    }

    [Fact]
    public async Task Kill_9_of_the_watcher_loses_at_most_the_round_in_flight()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 3, closeWait: 1);
        using var dir = new TempDir();
        var db = dir.File("kill9.db");
        using var watch = ChildProcess.StartDll("leakhound.dll", "watch", "--pid", holder.Pid.ToString(), "--interval", "100ms", "--out", db);
        var lines = new List<string>();
        while (lines.Count < 15 && await watch.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Contains($"pid={holder.Pid}"))
            {
                lines.Add(line);
            }
        }

        watch.Kill();
        await watch.WaitForExitAsync();

        // Every round printed was written before it was shown, so the store holds at least those.
        var stored = RecordingReader.Read(db);
        var fds = stored.Find(SeriesKey.Of("process.fds"))!;
        Assert.InRange(fds.Points.Count, lines.Count, lines.Count + 2);
        Assert.Equal(1, stored.Find(SeriesKey.Of("process.tcp.connections", ("state", "close_wait")))!.Points[^1].Value);
    }
}
