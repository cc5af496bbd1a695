using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.TestSupport;

namespace LeakHound.Cli.Tests.Postgres;

/// <summary>A server of its own, stopped and started under a running watch.</summary>
public sealed class PostgresRestartWatchTests
{
    [Fact]
    public async Task A_restart_during_a_watch_is_a_recorded_gap_and_the_watch_resumes()
    {
        await using var server = await PostgresServer.StartAsync(maxConnections: 20);
        using var dir = new TempDir();
        var db = dir.File("restart.db");
        using var watch = ChildProcess.StartDll("leakhound.dll", "watch", "--postgres", server.ConnectionString(PostgresServer.PasswordRole, PostgresServer.Password), "--interval", "200ms", "--out", db);
        try
        {
            await ReadUntilAsync(watch, l => l.Contains(" pg=", StringComparison.Ordinal), 2);
            await server.StopServerAsync();
            await ReadUntilAsync(watch, l => l.StartsWith("# gap: postgres unreachable", StringComparison.Ordinal), 1);
            await ReadUntilAsync(watch, l => !l.StartsWith('#'), 2); // the watch goes on without the server
            await server.StartServerAsync();
            await ReadUntilAsync(watch, l => l.StartsWith("# note: postgres is back", StringComparison.Ordinal), 1);
            await ReadUntilAsync(watch, l => l.Contains(" pg=", StringComparison.Ordinal), 2);
        }
        finally
        {
            ChildProcess.Stop(watch);
        }

        var data = RecordingReader.Read(db);
        var gap = Assert.Single(data.Events, e => e.Kind == EventKind.Gap);
        Assert.StartsWith("postgres unreachable: ", gap.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, gap.Detail);
        var back = Assert.Single(data.Events, e => e.Detail.StartsWith("postgres is back", StringComparison.Ordinal));
        var max = data.Find(SeriesKey.Of(MetricNames.PgMaxConnections))!;
        Assert.Contains(max.Points, p => p.Time < gap.Time);
        Assert.Contains(max.Points, p => p.Time >= back.Time);
    }

    private static async Task ReadUntilAsync(System.Diagnostics.Process process, Func<string, bool> match, int times)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<string>();
        while (times > 0)
        {
            var line = await process.StandardOutput.ReadLineAsync(cts.Token)
                ?? throw new InvalidOperationException("the watch ended: " + string.Join('\n', seen) + await process.StandardError.ReadToEndAsync());
            seen.Add(line);
            if (match(line))
            {
                times--;
            }
        }
    }
}
