using System.Diagnostics;
using System.Globalization;
using LeakHound;

namespace CensusBench;

/// <summary>
/// LeakyService holder as a child process with a raised fd limit. The limit is raised by a fixed shell line;
/// everything variable reaches it as positional arguments, never as shell text. Our pipe is its stdin, so it
/// exits when we close it or die.
/// </summary>
internal sealed class HolderProcess : IDisposable
{
    private const string Launcher =
        "ulimit -n \"$1\" 2>/dev/null || ulimit -n \"$(ulimit -Hn)\"; shift; exec \"$@\"";

    private readonly Process _process;

    private HolderProcess(Process process, int pid, int sockets)
    {
        _process = process;
        Pid = pid;
        Sockets = sockets;
    }

    public int Pid { get; }

    /// <summary>TCP sockets the holder says it holds.</summary>
    public int Sockets { get; }

    public static HolderProcess Start(string leakyDll, int pairs, int closeWait, int v6, int fdLimit = 65536)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "-c", Launcher, "leakyservice-holder", fdLimit.ToString(CultureInfo.InvariantCulture),
            "dotnet", leakyDll, "holder",
            "--pairs", pairs.ToString(CultureInfo.InvariantCulture),
            "--close-wait", closeWait.ToString(CultureInfo.InvariantCulture),
            "--v6", v6.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new LeakHoundException("could not start bash for the holder.");
        var errors = process.StandardError.ReadToEndAsync();
        var ready = process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(120)) || ready.Result is not { } line || !line.StartsWith("ready ", StringComparison.Ordinal))
        {
            Stop(process);
            var stderr = errors.Wait(TimeSpan.FromSeconds(2)) ? errors.Result.Trim() : "";
            throw new LeakHoundException($"the holder did not become ready: {(stderr.Length > 0 ? stderr : "no output")}");
        }

        // "ready pid=<pid> sockets=<n>"
        var fields = line.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(kv => kv[0], kv => int.Parse(kv[1], CultureInfo.InvariantCulture));
        return new HolderProcess(process, fields["pid"], fields["sockets"]);
    }

    public void Dispose()
    {
        Stop(_process);
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
