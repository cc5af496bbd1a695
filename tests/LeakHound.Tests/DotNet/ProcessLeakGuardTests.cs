using LeakHound.Testing;

namespace LeakHound.Tests.DotNet;

/// <summary>ConnectionLeakGuard.ForProcess: an end-to-end test drives a running application and asserts it leaked nothing.</summary>
public sealed class ProcessLeakGuardTests
{
    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task A_running_application_that_leaks_fails_the_check_and_names_the_server()
    {
        var (downstream, address) = await SampleProcess.StartDownstreamAsync("--close-after", "30s");
        using var _ = downstream;
        using var client = SampleProcess.StartLeaky(null, "client", "--target", $"http://{address}/x", "--rate", "20");
        await client.WaitForDiagnosticsAsync();

        await using var guard = await ConnectionLeakGuard.ForProcessAsync(client.Pid, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<ConnectionLeakException>(() => guard.AssertNoLeaksAsync(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken));

        Assert.Contains($"HTTP connection(s) to {address} still active", error.Message);
        Assert.Contains($"PID {client.Pid}", error.Message);
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public async Task A_fixed_application_passes()
    {
        var (downstream, address) = await SampleProcess.StartDownstreamAsync("--close-after", "30s");
        using var _ = downstream;
        using var client = SampleProcess.StartLeaky(null, "client", "--target", $"http://{address}/x", "--rate", "20", "--fixed");
        await client.WaitForDiagnosticsAsync();

        await using var guard = await ConnectionLeakGuard.ForProcessAsync(client.Pid, TestContext.Current.CancellationToken);
        await guard.AssertNoLeaksAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }
}
