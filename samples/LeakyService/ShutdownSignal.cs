using System.Runtime.InteropServices;

namespace LeakyService;

/// <summary>
/// One token cancelled by SIGTERM, SIGINT, or the end of stdin when stdin is a pipe
/// (a parent that redirected our stdin stops us by closing it, and we never outlive it).
/// Stdin from a terminal or /dev/null is not watched, so "LeakyService downstream &amp;" keeps running.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public ShutdownSignal()
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                _cts.Cancel();
            }));
        }

        if (StdinIsPipe())
        {
            var thread = new Thread(WatchStdin) { IsBackground = true, Name = "stdin-watch" };
            thread.Start();
        }
    }

    public CancellationToken Token => _cts.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cts.Dispose();
    }

    private void WatchStdin()
    {
        try
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (stdin.Read(buffer, 0, buffer.Length) > 0)
            {
                // Input is ignored; only its end matters.
            }
        }
        catch (IOException)
        {
        }

        _cts.Cancel();
    }

    private static bool StdinIsPipe()
    {
        try
        {
            var target = new FileInfo("/proc/self/fd/0").LinkTarget;
            return target is not null
                && (target.StartsWith("pipe:", StringComparison.Ordinal) || target.StartsWith("socket:", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
