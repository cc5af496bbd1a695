using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Sources;

/// <summary>Collects what every source observed during one round.</summary>
public sealed class RoundBuilder
{
    private readonly List<Sample> _samples = [];
    private readonly List<RecordedEvent> _events = [];
    private readonly List<string> _down = [];

    public RoundBuilder(DateTimeOffset time) => Time = time;

    public DateTimeOffset Time { get; }

    /// <summary>The watched process in this round, if any.</summary>
    public int? Pid { get; set; }

    /// <summary>Set by a source whose subject is gone for good (a <c>--pid</c> that exited): the watch ends after this round.</summary>
    public bool EndOfWatch { get; private set; }

    public IReadOnlyList<Sample> Samples => _samples;

    public IReadOnlyList<RecordedEvent> Events => _events;

    /// <summary>Sources that failed to answer this round (for <c>source down</c> alerts).</summary>
    public IReadOnlyList<string> DownSources => _down;

    /// <summary>Says that a source could not observe this round (a process gone, a database unreachable).</summary>
    public void MarkDown(string source) => _down.Add(source);

    public void Add(Sample sample) => _samples.Add(sample);

    public void AddRange(IEnumerable<Sample> samples) => _samples.AddRange(samples);

    public void Report(EventKind kind, string detail, int? pid = null) =>
        _events.Add(new RecordedEvent(Time, kind, pid ?? Pid, detail));

    public void EndWatch(string reason)
    {
        Report(EventKind.End, reason);
        EndOfWatch = true;
    }

    public SampleRound ToRound() => new(Time, Pid, _samples.ToArray());
}
