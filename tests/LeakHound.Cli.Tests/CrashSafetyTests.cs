using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Cli.Tests;

/// <summary>
/// kill -9 of a watcher at random moments of its watch, fifty times over one store: it always opens, every round in it is whole
/// (no round with some of its samples missing), and analyze and export work on it.
/// </summary>
public sealed class CrashSafetyTests
{
    private static readonly SeriesKey X = SeriesKey.Of("command.x");
    private static readonly SeriesKey Y = SeriesKey.Of("command.y");

    [Fact]
    public async Task Fifty_kills_at_random_moments_leave_a_whole_readable_store()
    {
        using var dir = new TempDir();
        var db = dir.File("crash.db");
        var random = new Random(20261123);
        var previous = 0;
        for (var kill = 0; kill < 50; kill++)
        {
            using var watch = ChildProcess.StartDll("leakhound.dll", "watch", "--command", "x=echo 1", "--command", "y=echo 2", "--interval", "100ms", "--out", db);
            // A moment at random within a running watch: after its first round is shown (so stored), however slow
            // the machine is to start it.
            while (await watch.StandardOutput.ReadLineAsync() is { } line && !line.Contains("command.x=", StringComparison.Ordinal))
            {
            }

            var drain = watch.StandardOutput.ReadToEndAsync();
            await Task.Delay(random.Next(0, 750));
            watch.Kill();
            await watch.WaitForExitAsync();
            await drain;

            var stored = RecordingReader.Read(db);
            var xs = stored.Find(X)?.Points ?? [];
            var ys = stored.Find(Y)?.Points ?? [];

            // Whole rounds only: every time has both samples, and nothing written before is lost.
            Assert.Equal(xs.Select(p => p.Time), ys.Select(p => p.Time));
            Assert.True(xs.Count >= previous, $"kill {kill}: {xs.Count} rounds, had {previous}");
            previous = xs.Count;
        }

        Assert.True(previous > 50, $"only {previous} rounds in 50 runs");
        var analyze = await ChildProcess.RunLeakHoundAsync("analyze", db, "--metric", "command.x");
        Assert.True(analyze.ExitCode is 0 or 1, analyze.ToString());
        var export = await ChildProcess.RunLeakHoundAsync("export", db, "--csv", "-");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(previous + 1, export.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
