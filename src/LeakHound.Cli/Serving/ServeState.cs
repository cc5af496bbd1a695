using LeakHound.Analysis;
using LeakHound.Cli.Views;
using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.Sources;

namespace LeakHound.Cli.Serving;

/// <summary>A firing alert as the dashboard and /metrics show it.</summary>
internal sealed record FiringAlert(string Rule, string Series, DateTimeOffset Since);

/// <summary>
/// What <c>serve</c> knows right now, written by the sampling loop once a round and read by any number of requests:
/// each write replaces an immutable snapshot, so a reader never sees half a round.
/// </summary>
internal sealed class ServeState
{
    private readonly Lock _gate = new();
    private readonly List<Action<ServeSnapshot>> _listeners = [];
    private ServeSnapshot _current;

    public ServeState(string subject, string? store, IReadOnlyList<string> rules, bool live, double? capacity)
    {
        _current = new ServeSnapshot(subject, store, live, capacity, 0, null, null, null, [], [], [], rules, []);
    }

    public ServeSnapshot Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Calls <paramref name="listener"/> with every new snapshot until the returned handle is disposed.</summary>
    public IDisposable Subscribe(Action<ServeSnapshot> listener)
    {
        lock (_gate)
        {
            _listeners.Add(listener);
        }

        return new Unsubscriber(this, listener);
    }

    public void Publish(ServeSnapshot next)
    {
        Action<ServeSnapshot>[] listeners;
        lock (_gate)
        {
            _current = next;
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener(next);
        }
    }

    /// <summary>A new round from the watch: its samples, the verdicts so far, what fires, and the recent events.</summary>
    public void OnRound(WatchHistory history, RoundBuilder round, IEnumerable<FiringAlert> firing, string? process)
    {
        var previous = Current;
        Publish(previous with
        {
            Rounds = history.Rounds,
            Time = round.Time,
            Pid = round.Pid ?? previous.Pid,
            Process = process ?? previous.Process,
            Samples = [.. round.Samples],
            Verdicts = history.Verdicts(previous.Capacity),
            Firing = [.. firing],
            Events = [.. history.Events.TakeLast(50)],
        });
    }

    /// <summary>Events that came without a round (a delivery settled after the watch ended).</summary>
    public void OnEvents(WatchHistory history) => Publish(Current with { Events = [.. history.Events.TakeLast(50)] });

    private sealed class Unsubscriber(ServeState state, Action<ServeSnapshot> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (state._gate)
            {
                state._listeners.Remove(listener);
            }
        }
    }
}

/// <summary>One immutable view of the watch: the latest round and everything derived from it.</summary>
internal sealed record ServeSnapshot(
    string Subject,
    string? Store,
    bool Live,
    double? Capacity,
    int Rounds,
    DateTimeOffset? Time,
    int? Pid,
    string? Process,
    IReadOnlyList<Sample> Samples,
    IReadOnlyList<LeakVerdict> Verdicts,
    IReadOnlyList<FiringAlert> Firing,
    IReadOnlyList<string> Rules,
    IReadOnlyList<RecordedEvent> Events);
