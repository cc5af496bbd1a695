using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LeakHound.Cli.Tests.Serve;

/// <summary>A running <c>leakhound serve</c> on a free loopback port: its base URL read from its first line.</summary>
internal sealed partial class ServeProcess : IDisposable
{
    private ServeProcess(Process process, string url)
    {
        Process = process;
        Url = url;
    }

    public Process Process { get; }

    /// <summary>http://127.0.0.1:PORT, no trailing slash.</summary>
    public string Url { get; }

    public static async Task<ServeProcess> StartAsync(params string[] args)
    {
        var process = ChildProcess.StartDll("leakhound.dll", ["serve", "--urls", "http://127.0.0.1:0", .. args]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(cts.Token)
                    ?? throw new InvalidOperationException("serve exited before listening: " + await process.StandardError.ReadToEndAsync());
                if (Address().Match(line) is { Success: true } m)
                {
                    // Keep draining stdout so the tool never blocks on a full pipe.
                    _ = process.StandardOutput.ReadToEndAsync();
                    _ = process.StandardError.ReadToEndAsync();
                    return new ServeProcess(process, m.Value);
                }
            }
        }
        catch
        {
            ChildProcess.Stop(process);
            process.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        ChildProcess.Stop(Process);
        Process.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex Address();
}
