using System.Diagnostics;

namespace LeakHound.Cli;

/// <summary>
/// The two child processes of the demo, from samples/LeakyService (shipped next to the tool): a downstream that
/// answers 403 with an HTML body and later closes the connection, and a client that never disposes the responses.
/// </summary>
internal sealed class LeakySample : IAsyncDisposable
{
    private readonly Process _downstream;
    private readonly Process _client;

    private LeakySample(Process downstream, Process client, string address)
    {
        _downstream = downstream;
        _client = client;
        Downstream = address;
    }

    public int ClientPid => _client.Id;

    public string Downstream { get; }

    public static async Task<LeakySample> StartAsync(CancellationToken cancellationToken)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "LeakyService.dll");
        if (!File.Exists(dll))
        {
            throw new LeakHoundException($"The demo's sample service is missing ({dll}); rebuild LeakHound.");
        }

        var downstream = Start(dll, "downstream", "--port", "0");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            string? line;
            do
            {
                line = await downstream.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            while (line is not null && !line.StartsWith("listening on ", StringComparison.Ordinal));

            if (line is null)
            {
                throw new LeakHoundException("The demo's downstream service did not start.");
            }

            var address = line["listening on ".Length..].Trim();
            var client = Start(dll, "client", "--target", $"http://{address}/session", "--rate", "10");
            return new LeakySample(downstream, client, address);
        }
        catch
        {
            Stop(downstream);
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop(_client);
        Stop(_downstream);
        return ValueTask.CompletedTask;
    }

    private static Process Start(string dll, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new LeakHoundException("Could not start the demo's sample service.");
        // Drain stderr so a chatty child never blocks on a full pipe.
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }

    private static void Stop(Process process)
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
            // Already gone.
        }

        process.Dispose();
    }
}
