using System.Diagnostics;
using System.Text;

namespace LeakHound.Testing.Tests;

/// <summary>
/// Builds samples/Testing (an xUnit v3, an NUnit and an MSTest project, each with one leaking and one clean test,
/// kept out of LeakHound.slnx because one test fails on purpose) and runs each as a real test run.
/// </summary>
public sealed class SamplesFixture : IAsyncLifetime
{
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static string Root { get; } = FindRoot();

    public string SamplesDirectory => Path.Combine(Root, "samples", "Testing");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LeakHound.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("LeakHound.slnx not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask InitializeAsync()
    {
        // The same configuration as this test assembly, so the library projects are already up to date.
        var (code, output) = await RunAsync("dotnet", ["build", Path.Combine(SamplesDirectory, "TestingSamples.slnx"), "-c", Configuration, "-warnaserror", "-nologo", "-v", "quiet"], TimeSpan.FromMinutes(8));
        if (code != 0)
        {
            throw new InvalidOperationException($"building the samples failed ({code}):\n{output}");
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public Task<(int Code, string Output)> RunSampleAsync(string name, params string[] args) =>
        RunAsync("dotnet", [Path.Combine(SamplesDirectory, name, "bin", Configuration, "net10.0", name + ".dll"), .. args], TimeSpan.FromMinutes(3));

    private static async Task<(int, string)> RunAsync(string program, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        // A child build must not inherit the MSBuild of the `dotnet test` that runs us.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var lockObj = new object();
        process.OutputDataReceived += (_, e) => { lock (lockObj) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (lockObj) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in {timeout}:\n{output}");
        }

        process.WaitForExit();
        lock (lockObj)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}

public sealed class FrameworkWiringTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    private static void AssertLeakMessage(string output, string testName)
    {
        Assert.Contains($"Connection leak in {testName}: 1 connection still in use", output);
        Assert.Matches(@"- 1 HTTP connection to 127\.0\.0\.1:\d+ \(0 in use before, 1 after\)", output);
        Assert.Contains("at Shop.SessionClient.IsSessionActiveAsync() in ", output);
        Assert.Contains("SessionClient.cs:line 11", output);
        Assert.DoesNotContain("IsSessionActiveFixedAsync", output);
    }

    [Fact]
    public async Task The_xUnit_assembly_attribute_fails_the_leaking_test_and_passes_the_clean_one()
    {
        var (code, output) = await samples.RunSampleAsync("XunitSample", "-reporter", "verbose", "-noColor");
        Assert.True(code != 0, output);
        Assert.Contains("XunitSample.SessionTests.Leaky_session_check [FAIL]", output);
        Assert.DoesNotContain("Fixed_session_check [FAIL]", output);
        Assert.Contains("XunitSample.SessionTests.Fixed_session_check [FINISHED]", output);
        Assert.Contains("Total: 2, Errors: 0, Failed: 1", output);
        Assert.Contains("LeakHound.Testing.ConnectionLeakException", output);
        AssertLeakMessage(output, "XunitSample.SessionTests.Leaky_session_check");
    }

    [Fact]
    public async Task The_NUnit_assembly_attribute_fails_the_leaking_test_and_passes_the_clean_one()
    {
        var (code, output) = await samples.RunSampleAsync("NunitSample", "--output", "detailed", "--no-ansi");
        Assert.True(code != 0, output);
        Assert.Matches(@"failed Leaky_session_check \(", output);
        Assert.Matches(@"passed Fixed_session_check \(", output);
        Assert.Contains("failed: 1", output);
        Assert.Contains("succeeded: 1", output);
        AssertLeakMessage(output, "NunitSample.SessionTests.Leaky_session_check");
    }

    [Fact]
    public async Task The_MSTest_global_hooks_fail_the_leaking_test_and_pass_the_clean_one()
    {
        var (code, output) = await samples.RunSampleAsync("MstestSample", "--output", "detailed", "--no-ansi");
        Assert.True(code != 0, output);
        Assert.Matches(@"failed Leaky_session_check \(", output);
        Assert.Matches(@"passed Fixed_session_check \(", output);
        Assert.Contains("failed: 1", output);
        Assert.Contains("succeeded: 1", output);
        AssertLeakMessage(output, "MstestSample.SessionTests.Leaky_session_check");
    }
}
