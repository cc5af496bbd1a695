using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Sources.DotNet;

/// <summary>
/// A .NET process's connection pools as a sample source, read over EventPipe with no change to the process.
/// The session runs on its own thread; a round only reads the latest values, so a slow or dying target never holds
/// a round up. With a fixed PID the watch ends when the process exits; when following a process (<c>--name</c>) the
/// source attaches again to whatever process the census follows now.
/// </summary>
public sealed class DotNetSource : ISampleSource, IDisposable
{
    private readonly int? _fixedPid;
    private readonly Func<int?> _currentPid;
    private readonly TimeSpan _refresh;
    private DotNetSession? _session;
    private int? _failedPid;
    private HashSet<SeriesKey> _series = [];

    /// <summary>Reads the pools of one process; the watch ends when it exits.</summary>
    public DotNetSource(int pid, TimeSpan refresh)
    {
        _fixedPid = pid;
        _currentPid = () => pid;
        _refresh = refresh;
    }

    /// <summary>Reads the pools of whatever process <paramref name="currentPid"/> names each round (a census following restarts).</summary>
    public DotNetSource(Func<int?> currentPid, TimeSpan refresh)
    {
        _currentPid = currentPid;
        _refresh = refresh;
    }

    public string Name => _fixedPid is { } pid ? $".NET pools of PID {pid}" : ".NET pools";

    /// <summary>The session now open, if any (for its time to first reading).</summary>
    public DotNetSession? Session => _session;

    /// <summary>
    /// Attaches before the watch starts, so that a process that is not .NET (or not attachable) is one clear line,
    /// and waits for the first interval's values (a few seconds at most) so the first round already has them.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_currentPid() is not { } pid)
        {
            return;
        }

        _session = DotNetSession.Start(pid, _refresh);
        await _session.WaitForIntervalsAsync(1, _session.RefreshInterval + TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask CollectAsync(RoundBuilder round, CancellationToken cancellationToken)
    {
        if (round.EndOfWatch)
        {
            return ValueTask.CompletedTask;
        }

        var pid = _currentPid();
        if (pid is null)
        {
            Close();
            round.MarkDown(Name);
            return ValueTask.CompletedTask;
        }

        if (_session is not null && _session.Pid != pid)
        {
            Close();
        }

        if (_session is null && !TryAttach(round, pid.Value))
        {
            round.MarkDown(Name);
            return ValueTask.CompletedTask;
        }

        var session = _session!;
        foreach (var note in session.TakeNotes())
        {
            round.Report(EventKind.Note, note, pid);
        }

        if (session.HasEnded)
        {
            var gone = !DotNetProcesses.IsRunning(session.Pid);
            Close();
            if (gone && _fixedPid is not null)
            {
                round.EndWatch($"process {session.Pid} exited");
            }
            else if (!gone)
            {
                round.Report(EventKind.Gap, $"the EventPipe session on PID {session.Pid} ended ({session.EndReason}); attaching again next round", session.Pid);
                round.MarkDown(Name);
            }
            else
            {
                round.MarkDown(Name);
            }

            return ValueTask.CompletedTask;
        }

        round.Pid ??= pid;
        AddWithVanishedSeries(round, session.Latest());
        return ValueTask.CompletedTask;
    }

    private bool TryAttach(RoundBuilder round, int pid)
    {
        try
        {
            _session = DotNetSession.Start(pid, _refresh);
            _failedPid = null;
            return true;
        }
        catch (LeakHoundException e)
        {
            if (_failedPid != pid)
            {
                // Once per process: a census following restarts goes on without the pools.
                round.Report(EventKind.Note, $"cannot read the .NET pools: {e.Message}", pid);
                _failedPid = pid;
            }

            return false;
        }
    }

    /// <summary>A series that disappears (its pool or server gone) gets one last zero, as a vanished peer does.</summary>
    private void AddWithVanishedSeries(RoundBuilder round, List<Sample> samples)
    {
        var seen = new HashSet<SeriesKey>();
        foreach (var sample in samples)
        {
            round.Add(sample);
            seen.Add(sample.Key);
        }

        foreach (var gone in _series.Where(k => !seen.Contains(k) && k.Metric != MetricNames.DotNetDbMaxConnections))
        {
            round.Add(new Sample(gone, 0));
        }

        _series = seen;
    }

    private void Close()
    {
        _session?.Dispose();
        _session = null;
    }

    public void Dispose() => Close();
}
