using System.Diagnostics;

namespace LeakHound.Tests.DotNet;

/// <summary>samples/LeakyService (or any program) as a real child process, stopped and reaped when disposed.</summary>
internal sealed class SampleProcess : IDisposable
{
    private SampleProcess(Process process) => Process = process;

    public Process Process { get; }

    public int Pid => Process.Id;

    public static SampleProcess StartLeaky(IEnumerable<KeyValuePair<string, string>>? environment, params string[] args) =>
        Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "LeakyService.dll"), .. args], environment);

    public static SampleProcess Start(string program, string[] args, IEnumerable<KeyValuePair<string, string>>? environment = null)
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

        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        var process = System.Diagnostics.Process.Start(start)!;
        // Drain stderr so a chatty child never blocks on a full pipe.
        _ = process.StandardError.ReadToEndAsync();
        return new SampleProcess(process);
    }

    /// <summary>Reads stdout until a line starts with <paramref name="prefix"/>; returns that line.</summary>
    public async Task<string> WaitForLineAsync(string prefix)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await Process.StandardOutput.ReadLineAsync(cts.Token)
                ?? throw new InvalidOperationException($"the sample exited (code {(Process.HasExited ? Process.ExitCode : -1)}) before printing '{prefix}'");
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>A downstream on a free port; returns it and its address (127.0.0.1:PORT).</summary>
    public static async Task<(SampleProcess Process, string Address)> StartDownstreamAsync(params string[] extra)
    {
        var downstream = StartLeaky(null, ["downstream", "--port", "0", .. extra]);
        var line = await downstream.WaitForLineAsync("listening on ");
        return (downstream, line["listening on ".Length..].Trim());
    }

    /// <summary>Waits until the runtime has created its diagnostics socket (it does so early in start-up).</summary>
    public async Task WaitForDiagnosticsAsync()
    {
        for (var i = 0; i < 200 && LeakHound.Sources.DotNet.DotNetProcesses.SocketOf(Pid) is null; i++)
        {
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        Process.Dispose();
    }
}
