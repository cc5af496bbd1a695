using LeakHound.Sources.DotNet;
using LeakHound.Sources.Process;

namespace LeakHound.Tests.DotNet;

/// <summary>Processes that cannot be read over EventPipe: one clear line each.</summary>
public sealed class DotNetAttachTests
{
    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public void A_process_that_is_not_dotnet_is_told_so()
    {
        using var sleep = SampleProcess.Start("sleep", ["30"]);

        // Between fork and exec the child still has the test host's name.
        for (var i = 0; i < 250 && File.ReadAllText($"/proc/{sleep.Pid}/comm").Trim() != "sleep"; i++)
        {
            Thread.Sleep(20);
        }

        var e = Assert.Throws<DotNetAttachException>(() => DotNetSession.Start(sleep.Pid, TimeSpan.FromSeconds(1)));
        Assert.Equal(
            $"PID {sleep.Pid} (sleep) is not a .NET process: it has no diagnostics socket ({Path.GetTempPath()}dotnet-diagnostic-{sleep.Pid}-*-socket). --dotnet reads .NET connection pools; --pid counts any process's sockets.",
            e.Message);
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task A_dotnet_process_with_diagnostics_disabled_is_told_so()
    {
        var (downstream, _) = await StartDownstreamAsync([new("DOTNET_EnableDiagnostics", "0")]);
        using var _1 = downstream;
        var e = Assert.Throws<DotNetAttachException>(() => DotNetSession.Start(downstream.Pid, TimeSpan.FromSeconds(1)));
        Assert.Contains("is a .NET process with diagnostics disabled (DOTNET_EnableDiagnostics=0)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public void A_pid_that_does_not_exist_is_told_so()
    {
        Assert.Throws<ProcessGoneException>(() => DotNetSession.Start(int.MaxValue - 7, TimeSpan.FromSeconds(1)));
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task A_running_dotnet_process_is_listed_as_attachable_and_its_runtime_read()
    {
        var (downstream, _) = await StartDownstreamAsync(null);
        using var _1 = downstream;
        await downstream.WaitForDiagnosticsAsync();
        using var sleep = SampleProcess.Start("sleep", ["30"]);

        var attachable = DotNetProcesses.WithDiagnosticsSocket();
        Assert.Contains(downstream.Pid, attachable);
        Assert.DoesNotContain(sleep.Pid, attachable);
        Assert.Equal(Environment.Version.Major, DotNetProcesses.Major(DotNetProcesses.RuntimeVersion(downstream.Pid)));
        Assert.Null(DotNetProcesses.RuntimeVersion(sleep.Pid));
    }

    private static async Task<(SampleProcess, string)> StartDownstreamAsync(KeyValuePair<string, string>[]? environment)
    {
        var downstream = SampleProcess.StartLeaky(environment, "downstream", "--port", "0");
        var line = await downstream.WaitForLineAsync("listening on ");
        return (downstream, line);
    }
}
