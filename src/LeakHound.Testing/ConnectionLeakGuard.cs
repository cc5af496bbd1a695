using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http;
using LeakHound.Samples;
using LeakHound.Sources.Process;

namespace LeakHound.Testing;

/// <summary>
/// Snapshots busy connections before the code under test runs and fails when some are still busy afterwards:
/// <code>
/// await using var guard = ConnectionLeakGuard.Start();
/// ... the test ...
/// await guard.AssertNoLeaksAsync();   // or let DisposeAsync do it
/// </code>
/// A connection counts as leaked when a target has more busy connections after than before (beyond
/// <see cref="LeakGuardOptions.Tolerance"/>) and still has after retrying with backoff up to
/// <see cref="LeakGuardOptions.Deadline"/>, so connections returned asynchronously do not fail a test.
/// The process-wide counts see every test running at the same time: with parallel tests use
/// <see cref="ForHandler"/> (counts only one handler's connections) or run the guarded tests one at a time.
/// </summary>
public sealed class ConnectionLeakGuard : IAsyncDisposable, IDisposable
{
    private static int _running;
    private static long _started;

    private readonly LeakGuardOptions _options;
    private readonly bool _scoped;
    private readonly object? _scope;
    private readonly long _trackingMark;
    private readonly long _startedMark;
    private readonly bool _overlappedAtStart;
    private int _finished;

    private ConnectionLeakGuard(LeakGuardOptions options, bool scoped, object? scope)
    {
        ConnectionTelemetry.EnsureStarted();
        _options = options;
        _scoped = scoped;
        _scope = scope;
        _overlappedAtStart = Interlocked.Increment(ref _running) > 1;
        _startedMark = Interlocked.Increment(ref _started);
        _trackingMark = LeakTracking.CurrentSequence;
        Before = Snapshot();
    }

    /// <summary>Starts watching this process's HttpClient connections, database pools (and sockets when asked).</summary>
    public static ConnectionLeakGuard Start(LeakGuardOptions? options = null) => new(options ?? LeakGuardOptions.Default, false, null);

    /// <summary>
    /// A guard on another running .NET process (an end-to-end test's application): its pools over EventPipe and its
    /// sockets, before and after. Dispose it when done; it holds one diagnostics session.
    /// </summary>
    public static Task<ProcessLeakGuard> ForProcessAsync(int pid, CancellationToken cancellationToken = default) =>
        ProcessLeakGuard.StartAsync(pid, cancellationToken);

    /// <inheritdoc cref="ForProcessAsync"/>
    public static ProcessLeakGuard ForProcess(int pid) => ForProcessAsync(pid).GetAwaiter().GetResult();

    /// <summary>
    /// Watches only the connections of one <see cref="SocketsHttpHandler"/>: gives it a meter factory of its own
    /// (before its first request), so tests running in parallel with other handlers do not disturb the count.
    /// Database pools and sockets are not watched by such a guard.
    /// </summary>
    public static ConnectionLeakGuard ForHandler(SocketsHttpHandler handler, LeakGuardOptions? options = null)
    {
        var factory = handler.MeterFactory as IsolatedMeterFactory ?? new IsolatedMeterFactory();
        handler.MeterFactory = factory;
        return new ConnectionLeakGuard((options ?? LeakGuardOptions.Default) with { Pools = false, Sockets = false }, true, factory);
    }

    /// <summary>The busy connections when the guard started.</summary>
    public ConnectionSnapshot Before { get; }

    /// <summary>Busy connections now, as this guard counts them.</summary>
    public ConnectionSnapshot Snapshot()
    {
        var busy = new Dictionary<LeakTarget, long>();
        if (_options.Http)
        {
            ConnectionTelemetry.AddHttp(busy, _scoped, _scope);
        }

        if (_options.Pools)
        {
            ConnectionTelemetry.AddPools(busy);
        }

        if (_options.Sockets)
        {
            AddSockets(busy);
        }

        return new ConnectionSnapshot(busy, DateTimeOffset.UtcNow);
    }

    private static IProcessInspector? _inspector;

    private static void AddSockets(Dictionary<LeakTarget, long> busy)
    {
        _inspector ??= ProcessInspectors.ForCurrentOs();
        var census = _inspector.Take(Environment.ProcessId);
        foreach (var ((peer, state), count) in census.TcpByPeer)
        {
            if (state is TcpState.Established or TcpState.CloseWait)
            {
                var target = new LeakTarget(LeakKind.Socket, peer);
                busy[target] = busy.GetValueOrDefault(target) + count;
            }
        }
    }

    /// <summary>Compares now with <see cref="Before"/>, retrying with backoff up to the deadline while something looks leaked.</summary>
    public async Task<LeakReport> CheckAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var report = Compare(clock.Elapsed);
            if (!report.HasLeaks || clock.Elapsed >= _options.Deadline)
            {
                return report;
            }

            await Task.Delay(Min(delay, _options.Deadline - clock.Elapsed), cancellationToken).ConfigureAwait(false);
            delay = Min(delay * 2, TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>As <see cref="CheckAsync"/>, blocking (for test frameworks whose hooks are synchronous).</summary>
    public LeakReport Check()
    {
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var report = Compare(clock.Elapsed);
            if (!report.HasLeaks || clock.Elapsed >= _options.Deadline)
            {
                return report;
            }

            Thread.Sleep(Min(delay, _options.Deadline - clock.Elapsed));
            delay = Min(delay * 2, TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Throws <see cref="ConnectionLeakException"/> when connections stayed busy.</summary>
    public async Task AssertNoLeaksAsync(CancellationToken cancellationToken = default) =>
        Finish(await CheckAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>As <see cref="AssertNoLeaksAsync"/>, blocking.</summary>
    public void AssertNoLeaks() => Finish(Check());

    /// <summary>Checks and stops the guard without throwing (for wirings that report the failure their own way).</summary>
    public LeakReport Stop()
    {
        var report = Check();
        End();
        return report;
    }

    /// <summary>As <see cref="Stop"/>, without blocking.</summary>
    public async Task<LeakReport> StopAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await CheckAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            End();
        }
    }

    /// <summary>Stops the guard without checking.</summary>
    internal void Abandon() => End();

    private void Finish(LeakReport report)
    {
        End();
        if (report.HasLeaks)
        {
            throw new ConnectionLeakException(report);
        }
    }

    private void End()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private LeakReport Compare(TimeSpan waited)
    {
        var after = Snapshot();
        var leaks = new List<Leak>();
        var outstanding = LeakTracking.OutstandingSince(_trackingMark);
        foreach (var (target, count) in after.Busy)
        {
            var before = Before[target];
            if (count - before > _options.Tolerance)
            {
                leaks.Add(new Leak(target, before, count, Attribute(target, outstanding)));
            }
        }

        leaks.Sort((a, b) => string.CompareOrdinal(a.Target.ToString(), b.Target.ToString()));
        // Another guard started or still running while this one watched: process-wide counts may be theirs.
        var parallel = _overlappedAtStart || Volatile.Read(ref _running) > 1 || Interlocked.Read(ref _started) != _startedMark;
        return new LeakReport(leaks, Before, after, waited, _options.TestName, parallel && !_scoped);
    }

    private static IReadOnlyList<Acquisition> Attribute(LeakTarget target, IReadOnlyList<Acquisition> outstanding)
    {
        var kind = target.Kind == LeakKind.Socket ? LeakKind.Http : target.Kind;
        var same = outstanding.Where(a => a.Kind == kind).ToList();
        var named = same.Where(a => string.Equals(a.Target, target.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        // A pool's metric name may differ from the data source's own name for it: then every open one of that kind.
        return named.Count > 0 || target.Kind == LeakKind.Http ? named : same;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _finished) == 0)
        {
            await AssertNoLeaksAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (Volatile.Read(ref _finished) == 0)
        {
            AssertNoLeaks();
        }
    }
}

/// <summary>A meter factory whose meters carry it as their scope, so one handler's connections can be told apart.</summary>
public sealed class IsolatedMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        options.Scope = this;
        var meter = new Meter(options);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
            _meters.Clear();
        }
    }
}
