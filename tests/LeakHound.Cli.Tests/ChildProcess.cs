using System.Diagnostics;
using System.Text;

namespace LeakHound.Cli.Tests;

/// <summary>Runs the real built tool (and the sample service) as child processes, the way a user does.</summary>
internal static class ChildProcess
{
    public static string Dll(string name) => Path.Combine(AppContext.BaseDirectory, name);

    public static Process StartDll(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll(dll));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["NO_COLOR"] = "1";
        return Process.Start(start)!;
    }

    public static async Task<CliResult> RunLeakHoundAsync(params string[] args) => await RunLeakHoundAsync(TimeSpan.FromSeconds(90), args);

    public static async Task<CliResult> RunLeakHoundAsync(TimeSpan timeout, params string[] args) =>
        await WaitAsync(StartDll("leakhound.dll", args), timeout, args);

    /// <summary>Runs any program (for example the tool under setpriv), with a home it may write to.</summary>
    public static async Task<CliResult> RunAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["HOME"] = Path.GetTempPath();
        start.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        return await WaitAsync(Process.Start(start)!, TimeSpan.FromSeconds(90), args);
    }

    private static async Task<CliResult> WaitAsync(Process started, TimeSpan timeout, string[] args)
    {
        using var process = started;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"leakhound {string.Join(' ', args)} did not finish in {timeout}; stderr: {await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => new StringBuilder()
        .AppendLine($"exit {ExitCode}").AppendLine("stdout:").AppendLine(Stdout).AppendLine("stderr:").AppendLine(Stderr).ToString();
}

/// <summary>LeakyService's holder mode: a process with a known number of established and CLOSE_WAIT loopback sockets.</summary>
internal sealed class SocketHolder : IDisposable
{
    private SocketHolder(Process process) => Process = process;

    public Process Process { get; }

    public int Pid => Process.Id;

    public static async Task<SocketHolder> StartAsync(int pairs, int closeWait, params string[] extra)
    {
        var process = ChildProcess.StartDll("LeakyService.dll", ["holder", "--pairs", pairs.ToString(), "--close-wait", closeWait.ToString(), .. extra]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(cts.Token)
                ?? throw new InvalidOperationException("holder exited before it was ready: " + await process.StandardError.ReadToEndAsync());
            if (line.StartsWith("ready", StringComparison.Ordinal))
            {
                return new SocketHolder(process);
            }
        }
    }

    public void Dispose()
    {
        ChildProcess.Stop(Process);
        Process.Dispose();
    }
}

internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "leakhound-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
