using System.Text.Json;
using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Cli.Tests;

/// <summary>
/// A kernel that really refuses netlink sock_diag, as a locked-down container does: the tool runs under NoSockDiag, a
/// seccomp filter that fails socket(AF_NETLINK, *, NETLINK_SOCK_DIAG) with EPERM. The counts must be the same as
/// with netlink (read from /proc/PID/net instead), and the fallback said once.
/// </summary>
public sealed class NetlinkRefusedTests
{
    private const string Refused = "netlink sock_diag refused (EPERM)";

    [Fact]
    public async Task Watch_falls_back_to_proc_with_the_same_counts_and_says_so_once()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 7, closeWait: 3);
        using var dir = new TempDir();
        var db = dir.File("refused.db");

        var refused = await RunRefusedAsync("watch", "--pid", holder.Pid.ToString(), "--interval", "100ms", "--count", "4", "--out", db);
        var normal = await ChildProcess.RunLeakHoundAsync("watch", "--pid", holder.Pid.ToString(), "--interval", "100ms", "--count", "1", "--out", dir.File("normal.db"));

        Assert.True(refused.ExitCode == 0, refused.ToString());
        Assert.Single(refused.Stdout.Split('\n'), l => l.Contains(Refused, StringComparison.Ordinal));
        Assert.DoesNotContain(Refused, normal.Stdout, StringComparison.Ordinal);

        // 7 pairs in one process: 4 full pairs (8 established) + 3 client halves in CLOSE_WAIT, and the listener.
        var rounds = Rounds(refused.Stdout);
        Assert.Equal(4, rounds.Count);
        Assert.All(rounds, l => Assert.Contains("tcp=12 established=8 close_wait=3 listen=1", l, StringComparison.Ordinal));
        Assert.Contains("tcp=12 established=8 close_wait=3 listen=1", Rounds(normal.Stdout).Single(), StringComparison.Ordinal);

        // The note is recorded with the rounds, so a report made later still says how they were counted.
        var stored = RecordingReader.Read(db);
        Assert.Single(stored.Events, e => e.Kind == EventKind.Note && e.Detail.Contains(Refused, StringComparison.Ordinal));
        Assert.All(stored.Find(SeriesKey.Of(MetricNames.TcpConnections, ("state", "close_wait")))!.Points, p => Assert.Equal(3, p.Value));
    }

    [Fact]
    public async Task Ps_falls_back_to_proc_and_notes_it_on_stderr_keeping_json_clean()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 5, closeWait: 2);

        var refused = await RunRefusedAsync("ps", "--json");

        Assert.True(refused.ExitCode == 0, refused.ToString());
        Assert.Single(refused.Stderr.Split('\n'), l => l.Contains(Refused, StringComparison.Ordinal));
        using var json = JsonDocument.Parse(refused.Stdout);
        var row = json.RootElement.EnumerateArray().Single(p => p.GetProperty("pid").GetInt32() == holder.Pid);
        Assert.Equal(9, row.GetProperty("tcp").GetInt32()); // 3 full pairs (6), 2 CLOSE_WAIT halves, the listener
        Assert.Equal(2, row.GetProperty("close_wait").GetInt32());
    }

    private static async Task<CliResult> RunRefusedAsync(params string[] args)
    {
        var result = await ChildProcess.RunAsync("dotnet", [ChildProcess.Dll("NoSockDiag.dll"), "dotnet", ChildProcess.Dll("leakhound.dll"), .. args]);
        if (result.ExitCode == 3 && result.Stderr.StartsWith("NoSockDiag:", StringComparison.Ordinal))
        {
            Assert.Skip("no seccomp filter could be installed here: " + result.Stderr.Trim());
        }

        return result;
    }

    private static List<string> Rounds(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
}
