using System.Text;
using LeakHound.Samples;
using LeakHound.Sources.DotNet;
using LeakHound.Sources.Process;

namespace LeakHound.Testing;

/// <summary>
/// The before/after check against another process, for end-to-end tests of a running application (seed 003's second
/// technique, without a metrics page): its .NET pools over EventPipe and its socket census. One EventPipe session
/// stays open from <see cref="ConnectionLeakGuard.ForProcessAsync"/> to the check, because HttpClient's counts are
/// counted from the moment of attach.
/// </summary>
public sealed class ProcessLeakGuard : IAsyncDisposable
{
    private readonly DotNetSession _session;
    private readonly IReadOnlyDictionary<string, int> _closeWaitBefore;

    private ProcessLeakGuard(int pid, DotNetSession session, DotNetPoolSnapshot before, IReadOnlyDictionary<string, int> closeWaitBefore)
    {
        Pid = pid;
        _session = session;
        Before = before;
        _closeWaitBefore = closeWaitBefore;
    }

    public int Pid { get; }

    /// <summary>The pools when the guard started.</summary>
    public DotNetPoolSnapshot Before { get; }

    internal static async Task<ProcessLeakGuard> StartAsync(int pid, CancellationToken cancellationToken)
    {
        // Attaching blocks while the runtime answers: keep it off the caller's (often a test framework's) thread.
        var session = await Task.Run(() => DotNetSession.Start(pid, TimeSpan.FromSeconds(1)), cancellationToken).ConfigureAwait(false);
        try
        {
            await session.WaitForIntervalsAsync(2, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            var before = await DotNetPoolSnapshot.TakeAsync(session, cancellationToken).ConfigureAwait(false);
            return new ProcessLeakGuard(pid, session, before, CloseWaitByPeer(pid));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fails with <see cref="ConnectionLeakException"/> when the process holds more active HTTP connections to a server,
    /// more used connections of a database pool, or more sockets in CLOSE_WAIT towards a peer than at the start. Retries
    /// with backoff up to <paramref name="deadline"/> (default 10 s): connections handed back a moment late are no leak.
    /// </summary>
    public async Task AssertNoLeaksAsync(TimeSpan? deadline = null, CancellationToken cancellationToken = default)
    {
        var until = DateTimeOffset.UtcNow + (deadline ?? TimeSpan.FromSeconds(10));
        var pause = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            await _session.WaitForIntervalsAsync(1, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            var after = await DotNetPoolSnapshot.TakeAsync(_session, cancellationToken).ConfigureAwait(false);
            var leaks = Compare(after, CloseWaitByPeer(Pid));
            if (leaks.Count == 0)
            {
                return;
            }

            if (DateTimeOffset.UtcNow >= until)
            {
                var message = new StringBuilder($"PID {Pid} leaked connections:");
                foreach (var leak in leaks)
                {
                    message.Append("\n  ").Append(leak);
                }

                throw new ConnectionLeakException(message.ToString());
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private List<string> Compare(DotNetPoolSnapshot after, IReadOnlyDictionary<string, int> closeWait)
    {
        var leaks = new List<string>();
        foreach (var http in after.Http)
        {
            var before = Before.Http.Where(h => h.Server == http.Server).Sum(h => h.Active);
            if (http.Active > before)
            {
                leaks.Add($"{http.Active - before:0} HTTP connection(s) to {http.Server} still active ({before:0} before, {http.Active:0} after)");
            }
        }

        foreach (var db in after.Databases)
        {
            var before = Before.Databases.Where(d => d.Provider == db.Provider && d.Pool == db.Pool).Sum(d => d.Used);
            if (db.Used > before)
            {
                leaks.Add($"{db.Used - before:0} {db.Provider} connection(s) of pool {db.Pool} still in use ({before:0} before, {db.Used:0} after)");
            }
        }

        foreach (var (peer, count) in closeWait)
        {
            var before = _closeWaitBefore.GetValueOrDefault(peer);
            if (count > before)
            {
                leaks.Add($"{count - before} socket(s) in CLOSE_WAIT towards {peer} ({before} before, {count} after)");
            }
        }

        return leaks;
    }

    private static Dictionary<string, int> CloseWaitByPeer(int pid) =>
        ProcessInspectors.ForCurrentOs().Take(pid).TcpByPeer
            .Where(kv => kv.Key.State == TcpState.CloseWait)
            .ToDictionary(kv => kv.Key.Peer, kv => kv.Value, StringComparer.Ordinal);

    public ValueTask DisposeAsync()
    {
        _session.Dispose();
        return ValueTask.CompletedTask;
    }
}
