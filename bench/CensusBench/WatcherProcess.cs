using System.Diagnostics;
using System.Globalization;
using LeakHound;

namespace CensusBench;

/// <summary><c>dotnet leakhound.dll watch --pid PID --interval I --out DB</c> as a child, its output drained and the last lines kept.</summary>
internal sealed class WatcherProcess : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _tail = new();

    public WatcherProcess(string leakHoundDll, int pid, string interval, string database)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { leakHoundDll, "watch", "--pid", pid.ToString(CultureInfo.InvariantCulture), "--interval", interval, "--out", database })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new LeakHoundException("could not start the watcher.");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines it printed (stdout and stderr), for a failure message.</summary>
    public string Tail()
    {
        lock (_tail)
        {
            return string.Join(" | ", _tail);
        }
    }

    /// <summary>SIGTERM (a graceful stop, as a service manager would), then a kill after 10 s.</summary>
    public int? Stop()
    {
        if (!_process.HasExited)
        {
            Command.Run("kill", "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture));
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill();
                _process.WaitForExit(TimeSpan.FromSeconds(5));
                return null;
            }
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line.Length > 200 ? line[..200] : line);
            while (_tail.Count > 8)
            {
                _tail.Dequeue();
            }
        }
    }
}
