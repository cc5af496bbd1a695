namespace LeakHound.Cli.Tests;

/// <summary>Bad input: one clear line, the right exit code, never a stack trace, nothing created.</summary>
public sealed class ErrorTests
{
    [Fact]
    public async Task A_pid_that_does_not_exist()
    {
        using var dir = new TempDir();
        var db = dir.File("none.db");
        var result = await ChildProcess.RunLeakHoundAsync("watch", "--pid", "2147483", "--out", db);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("2147483", result.Stderr);
        AssertOneCleanLine(result);
        Assert.False(File.Exists(db), "nothing is recorded for a process that does not exist");
    }

    [Theory]
    [InlineData("--interval", "5x", "5x")]
    [InlineData("--count", "0", "--count")]
    public async Task A_bad_option_is_a_usage_error(string option, string value, string mentioned)
    {
        var result = await ChildProcess.RunLeakHoundAsync("watch", "--pid", Environment.ProcessId.ToString(), option, value, "--out", "/tmp/never.db");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(mentioned, result.Stderr);
        AssertOneCleanLine(result);
    }

    [Fact]
    public async Task Nothing_to_watch_is_a_usage_error()
    {
        var result = await ChildProcess.RunLeakHoundAsync("watch");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--pid", result.Stderr);
        AssertOneCleanLine(result);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        var result = await ChildProcess.RunLeakHoundAsync("watch", "--frobnicate");

        Assert.Equal(2, result.ExitCode);
        AssertOneCleanLine(result);
    }

    [Fact]
    public async Task An_unwritable_out_names_the_path()
    {
        var result = await ChildProcess.RunLeakHoundAsync("watch", "--pid", Environment.ProcessId.ToString(), "--out", "/proc/leakhound-cannot/x.db", "--count", "1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("/proc/leakhound-cannot/x.db", result.Stderr);
        AssertOneCleanLine(result);
    }

    [Fact]
    public async Task Export_of_a_missing_file()
    {
        var result = await ChildProcess.RunLeakHoundAsync("export", "/tmp/leakhound-no-such-store.db", "--csv", "-");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("leakhound-no-such-store.db", result.Stderr);
        AssertOneCleanLine(result);
    }

    private static void AssertOneCleanLine(CliResult result)
    {
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("leakhound: ", lines[0]);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
    }
}

/// <summary>Runs the tool as an unprivileged user, as someone without root would.</summary>
public sealed class PermissionTests
{
    [Fact]
    public async Task Another_users_process_names_the_permission_needed()
    {
        // As root, drop to nobody and look at a root-owned child; as anyone else, PID 1 is already another user's.
        using var target = System.Diagnostics.Process.Start("sleep", "30");
        var pid = Environment.UserName == "root" ? target.Id : 1;
        try
        {
            var result = await RunUnprivilegedAsync("watch", "--pid", pid.ToString(), "--count", "1", "--out", "/tmp/leakhound-perm-test.db");

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"PID {pid}", result.Stderr);
            Assert.Contains("root", result.Stderr);
            Assert.Contains("CAP_SYS_PTRACE", result.Stderr);
            Assert.DoesNotContain("   at ", result.Stderr);
        }
        finally
        {
            target.Kill();
        }
    }

    [Fact]
    public async Task Ps_says_how_many_processes_it_could_not_inspect()
    {
        var result = await RunUnprivilegedAsync("ps", "--top", "3");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"\d+ processes of other users could not be inspected", result.Stdout);
    }

    private static Task<CliResult> RunUnprivilegedAsync(params string[] args) =>
        Environment.UserName == "root"
            ? ChildProcess.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", ChildProcess.Dll("leakhound.dll"), .. args])
            : ChildProcess.RunLeakHoundAsync(args);
}

public sealed class UnorderedCsvTests
{
    [Fact]
    public async Task Unordered_timestamps_are_read_sorted_and_said_so()
    {
        using var dir = new TempDir();
        var csv = dir.File("tracking.log");
        await File.WriteAllTextAsync(csv, string.Join('\n', Enumerable.Range(0, 20).Select(i => $"{1493117580 + (i == 7 ? 100 : i * 5)},{10 + i}")) + "\n");

        var result = await ChildProcess.RunLeakHoundAsync("export", csv, "--csv", "-");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("tracking.log: the timestamps of value are not in time order", result.Stderr);
        var times = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => DateTimeOffset.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Order(), times);
    }
}
