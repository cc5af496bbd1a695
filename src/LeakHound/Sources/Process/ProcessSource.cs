using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Sources.Process;

/// <summary>
/// The socket census of one process as a sample source. A <see cref="ProcessTarget.ById"/> ends the watch when
/// the process exits; a <see cref="ProcessTarget.ByName"/> waits for the process to come back and records the restart.
/// </summary>
public sealed class ProcessSource : ISampleSource
{
    private readonly IProcessInspector _inspector;
    private readonly ProcessTarget _target;
    private ProcessIdentity? _current;
    private bool _waitingReported;
    private bool _fallbackReported;
    private bool _seen;
    private HashSet<SeriesKey> _peers = [];

    public ProcessSource(IProcessInspector inspector, ProcessTarget target)
    {
        _inspector = inspector;
        _target = target;
    }

    public string Name => _target.ToString();

    /// <summary>The process being watched now, if any.</summary>
    public ProcessIdentity? Current => _current;

    /// <summary>Finds the process once before the watch starts, so a wrong PID is reported before anything is recorded.</summary>
    public ProcessIdentity? Resolve()
    {
        _current = _target switch
        {
            ProcessTarget.ById byId => _inspector.Identify(byId.Pid) ?? throw new ProcessGoneException(byId.Pid),
            ProcessTarget.ByName byName => Choose(_inspector.Find(byName.Text)),
            _ => throw new InvalidOperationException("unknown target"),
        };
        _seen = _current is not null;
        return _current;
    }

    public ValueTask CollectAsync(RoundBuilder round, CancellationToken cancellationToken)
    {
        if (_current is null && _target is ProcessTarget.ByName)
        {
            FindAgain(round);
        }

        if (_current is not { } process)
        {
            round.MarkDown(Name);
            return ValueTask.CompletedTask;
        }

        round.Pid = process.Pid;
        try
        {
            var census = _inspector.Take(process.Pid);
            AddWithVanishedPeers(round, census);
            if (!_fallbackReported && _inspector.FallbackReason is { } reason)
            {
                _fallbackReported = true;
                round.Report(EventKind.Note, reason);
            }
        }
        catch (ProcessGoneException)
        {
            _current = null;
            if (_target is ProcessTarget.ById)
            {
                round.EndWatch($"process {process.Pid} ({process.Name}) exited");
            }
            else
            {
                round.Report(EventKind.Gap, $"process {process.Pid} ({process.Name}) exited; waiting for {_target} to come back");
                _waitingReported = true;
                round.Pid = null;
                round.MarkDown(Name);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The census lists only peers (and clients) that have sockets; one whose sockets all closed gets one last zero,
    /// so its series ends at zero instead of at its last count.
    /// </summary>
    private void AddWithVanishedPeers(RoundBuilder round, ProcessCensus census)
    {
        var peers = new HashSet<SeriesKey>();
        foreach (var sample in census.ToSamples())
        {
            round.Add(sample);
            if (MetricNames.IsTcpBreakdown(sample.Key.Metric))
            {
                peers.Add(sample.Key);
            }
        }

        foreach (var gone in _peers.Where(p => !peers.Contains(p)))
        {
            round.Add(new Sample(gone, 0));
        }

        _peers = peers;
    }

    private void FindAgain(RoundBuilder round)
    {
        var text = ((ProcessTarget.ByName)_target).Text;
        var found = Choose(_inspector.Find(text));
        if (found is null)
        {
            if (!_waitingReported)
            {
                round.Report(EventKind.Note, $"no process matches '{text}' yet; waiting for one");
                _waitingReported = true;
            }

            return;
        }

        var restarted = _seen;
        _current = found;
        _seen = true;
        _waitingReported = false;
        round.Report(restarted ? EventKind.Restart : EventKind.Note, $"watching PID {found.Pid} ({found.Name})", found.Pid);
    }

    /// <summary>Several matches: the oldest process is the likeliest to be the service itself rather than a helper it spawned.</summary>
    private static ProcessIdentity? Choose(IReadOnlyList<ProcessIdentity> matches) =>
        matches.OrderBy(p => p.StartTime ?? DateTimeOffset.MaxValue).ThenBy(p => p.Pid).FirstOrDefault();
}
