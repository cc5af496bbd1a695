using System.Diagnostics;
using LeakHound.Cli.Tests.Serve;
using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Cli.Tests;

/// <summary>
/// kill -9 of a recorder (<c>watch</c>, then <c>serve</c>) at random moments, fifty times over one store: it always opens,
/// every round in it is whole (no round with some of its samples missing), nothing stored before a kill is lost, and
/// analyze, export and a read-only <c>serve FILE</c> work on it. A long test: LEAKHOUND_CRASH_KILLS changes the 50.
/// </summary>
[Trait("Category", "Long")]
public sealed class CrashSafetyTests
{
    private static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("LEAKHOUND_CRASH_KILLS"), out var k) && k > 0 ? k : 50;
    private static readonly SeriesKey X = SeriesKey.Of("command.x");
    private static readonly SeriesKey Y = SeriesKey.Of("command.y");
    private static readonly string[] Sources = ["--command", "x=echo 1", "--command", "y=echo 2", "--interval", "100ms"];

    [Fact]
    public async Task Fifty_kills_of_watch_at_random_moments_leave_a_whole_readable_store()
    {
        using var dir = new TempDir();
        var db = dir.File("crash.db");
        await KillRepeatedlyAsync(db, new Random(20261123), async () =>
        {
            var watch = ChildProcess.StartDll("leakhound.dll", ["watch", .. Sources, "--out", db]);
            // After its first round is shown (so stored), however slow the machine is to start it.
            while (await watch.StandardOutput.ReadLineAsync() is { } line && !line.Contains("command.x=", StringComparison.Ordinal))
            {
            }

            _ = watch.StandardOutput.ReadToEndAsync();
            _ = watch.StandardError.ReadToEndAsync();
            return watch;
        });
    }

    [Fact]
    public async Task Fifty_kills_of_serve_at_random_moments_leave_a_whole_readable_store()
    {
        using var dir = new TempDir();
        var db = dir.File("crash.db");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await KillRepeatedlyAsync(db, new Random(20261124), async () =>
        {
            var serve = await ServeProcess.StartAsync([.. Sources, "--out", db]);
            // After its first round is published (a round is stored before it is published), however slow the machine is.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!(await http.GetStringAsync(serve.Url + "/metrics", cts.Token)).Contains("leakhound_command_x ", StringComparison.Ordinal))
            {
                await Task.Delay(20, cts.Token);
            }

            return serve.Process;
        });

        // The store a crash left behind is served read-only, every round in it.
        var rounds = RecordingReader.Read(db).Find(X)!.Points.Count;
        using var reader = await ServeProcess.StartAsync(db);
        using var series = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(reader.Url + "/api/series"));
        var served = series.RootElement.EnumerateArray().Single(s => s.GetProperty("key").GetString() == "command.x");
        Assert.Equal(rounds, served.GetProperty("points").GetInt32());
    }

    /// <summary>
    /// Starts a recorder, waits until it has stored a round, kills it with SIGKILL at a random moment within the next
    /// 750 ms, and checks the store; <see cref="Kills"/> times, then analyze and export on the result.
    /// </summary>
    private static async Task KillRepeatedlyAsync(string db, Random random, Func<Task<Process>> startRecording)
    {
        var previous = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            using (var recorder = await startRecording())
            {
                await Task.Delay(random.Next(0, 750));
                recorder.Kill(); // SIGKILL on Linux
                await recorder.WaitForExitAsync();
            }

            var stored = RecordingReader.Read(db);
            var xs = stored.Find(X)?.Points ?? [];
            var ys = stored.Find(Y)?.Points ?? [];

            // Whole rounds only: every time has both samples, and nothing written before is lost.
            Assert.Equal(xs.Select(p => p.Time), ys.Select(p => p.Time));
            Assert.True(xs.Count > previous, $"kill {kill}: {xs.Count} rounds, had {previous} (each run stores at least one)");
            previous = xs.Count;
        }

        var analyze = await ChildProcess.RunLeakHoundAsync("analyze", db, "--metric", "command.x");
        Assert.True(analyze.ExitCode is 0 or 1, analyze.ToString());
        var export = await ChildProcess.RunLeakHoundAsync("export", db, "--csv", "-");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(previous + 1, export.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
