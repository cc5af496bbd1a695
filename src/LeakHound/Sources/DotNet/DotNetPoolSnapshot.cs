using LeakHound.Samples;

namespace LeakHound.Sources.DotNet;

/// <summary>HttpClient connections to one server (address:port), as seen since the session attached.</summary>
public sealed record HttpPoolReading(string Server, double Active, double Idle, double? QueueSeconds);

/// <summary>One database pool: connections in use, idle, the pool's maximum and requests waiting, when published.</summary>
public sealed record DbPoolReading(string Provider, string Pool, double Used, double Idle, double? Max, double? Pending);

/// <summary>
/// The connection pools of another .NET process at one moment, read over EventPipe with no change to it: the engine
/// API behind an acceptance test's before/after check of a running application (LeakHound.Testing).
/// <code>
/// // One reading: attach, let the target report for about 2 s, read, detach.
/// var snapshot = await DotNetPoolSnapshot.TakeAsync(pid, TimeSpan.FromSeconds(2), ct);
/// foreach (var pool in snapshot.Databases) Console.WriteLine($"{pool.Provider} {pool.Pool}: {pool.Used} used of {pool.Max}");
///
/// // Before/after: keep one session open across both, since HttpClient's open_connections counts from attach.
/// using var session = DotNetSession.Start(pid, TimeSpan.FromSeconds(1));
/// var before = await DotNetPoolSnapshot.TakeAsync(session, ct);
/// /* drive the application */
/// var after = await DotNetPoolSnapshot.TakeAsync(session, ct);
/// var leaked = after.ActiveHttpConnections - before.ActiveHttpConnections;
/// </code>
/// <para>Database pool counts are absolute. HttpClient connection counts are the change since the session attached
/// (the runtime's UpDownCounter is summed by the listener from zero), so they may be negative when connections that
/// were open before the attach close.</para>
/// Throws <see cref="DotNetAttachException"/> (not .NET, diagnostics disabled, another user) or
/// <see cref="Process.ProcessGoneException"/> with one clear line.
/// </summary>
public sealed class DotNetPoolSnapshot
{
    private DotNetPoolSnapshot(int pid, DateTimeOffset time, IReadOnlyList<Sample> samples, IReadOnlyList<string> notes, bool complete)
    {
        Pid = pid;
        Time = time;
        Samples = samples;
        Notes = notes;
        Complete = complete;
        Http = samples.Where(s => s.Key.Metric == MetricNames.DotNetHttpConnections)
            .GroupBy(s => s.Key.Label(MetricNames.ServerLabel)!)
            .Select(g => new HttpPoolReading(
                g.Key,
                g.Where(s => s.Key.Label(MetricNames.StateLabel) == "active").Sum(s => s.Value),
                g.Where(s => s.Key.Label(MetricNames.StateLabel) == "idle").Sum(s => s.Value),
                Find(samples, MetricNames.DotNetHttpQueueSeconds, s => s.Key.Label(MetricNames.ServerLabel) == g.Key)))
            .OrderBy(h => h.Server, StringComparer.Ordinal)
            .ToList();
        Databases = samples.Where(s => s.Key.Metric == MetricNames.DotNetDbConnections)
            .GroupBy(s => (Provider: s.Key.Label(MetricNames.ProviderLabel)!, Pool: s.Key.Label(MetricNames.PoolLabel)!))
            .Select(g => new DbPoolReading(
                g.Key.Provider,
                g.Key.Pool,
                g.Where(s => s.Key.Label(MetricNames.StateLabel) == "used").Sum(s => s.Value),
                g.Where(s => s.Key.Label(MetricNames.StateLabel) == "idle").Sum(s => s.Value),
                Find(samples, MetricNames.DotNetDbMaxConnections, s => SamePool(s, g.Key.Provider, g.Key.Pool)),
                Find(samples, MetricNames.DotNetDbPendingRequests, s => SamePool(s, g.Key.Provider, g.Key.Pool))))
            .OrderBy(d => d.Provider, StringComparer.Ordinal).ThenBy(d => d.Pool, StringComparer.Ordinal)
            .ToList();
    }

    public int Pid { get; }

    public DateTimeOffset Time { get; }

    /// <summary>Every series read, as <c>watch --dotnet</c> records them (<c>dotnet.http.connections{server,state}</c>, …).</summary>
    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>HttpClient connections per server.</summary>
    public IReadOnlyList<HttpPoolReading> Http { get; }

    /// <summary>Database pools (Npgsql, MySqlConnector, SqlClient).</summary>
    public IReadOnlyList<DbPoolReading> Databases { get; }

    /// <summary>What the target or the session said (another tool holding the meters, an old runtime, …).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>False when the target reported no interval within the wait (it exited, or is stalled).</summary>
    public bool Complete { get; }

    public double ActiveHttpConnections => Http.Sum(h => h.Active);

    public double UsedDbConnections => Databases.Sum(d => d.Used);

    /// <summary>
    /// Attaches to <paramref name="pid"/>, lets it report for <paramref name="window"/> (at least one 1-second interval),
    /// and returns the latest values. The session is closed before this returns.
    /// </summary>
    public static async Task<DotNetPoolSnapshot> TakeAsync(int pid, TimeSpan window, CancellationToken cancellationToken = default)
    {
        using var session = DotNetSession.Start(pid, TimeSpan.FromSeconds(1));
        var intervals = Math.Max(1, (int)Math.Round(window.TotalSeconds / session.RefreshInterval.TotalSeconds));
        var complete = await session.WaitForIntervalsAsync(intervals, window + session.RefreshInterval + TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
        return new DotNetPoolSnapshot(pid, DateTimeOffset.UtcNow, session.Latest(), session.TakeNotes(), complete);
    }

    /// <summary>A reading from a session kept open (before/after comparisons): waits for the next complete interval first.</summary>
    public static async Task<DotNetPoolSnapshot> TakeAsync(DotNetSession session, CancellationToken cancellationToken = default)
    {
        // Two intervals: the one in progress may have begun before whatever the caller just did.
        var complete = await session.WaitForIntervalsAsync(2, (session.RefreshInterval * 2) + TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
        return new DotNetPoolSnapshot(session.Pid, DateTimeOffset.UtcNow, session.Latest(), session.TakeNotes(), complete);
    }

    private static bool SamePool(Sample s, string provider, string pool) =>
        s.Key.Label(MetricNames.ProviderLabel) == provider && s.Key.Label(MetricNames.PoolLabel) == pool;

    private static double? Find(IReadOnlyList<Sample> samples, string metric, Func<Sample, bool> match)
    {
        foreach (var s in samples)
        {
            if (s.Key.Metric == metric && match(s))
            {
                return s.Value;
            }
        }

        return null;
    }
}
