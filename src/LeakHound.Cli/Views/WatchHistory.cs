using LeakHound.Analysis;
using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.Sources;

namespace LeakHound.Cli.Views;

/// <summary>
/// What the views need from the rounds so far: each series' first value, its recent values and a downsampled
/// history for the leak verdict (bounded memory however long the watch runs).
/// </summary>
internal sealed class WatchHistory
{
    public const int RecentLength = 40;

    /// <summary>Verdicts are recomputed every round at first, then every few rounds: they barely move round to round.</summary>
    private const int VerdictEvery = 5;

    private readonly Dictionary<SeriesKey, SeriesTrack> _tracks = [];
    private readonly List<RecordedEvent> _events = [];
    private IReadOnlyList<LeakVerdict> _verdicts = [];
    private int _verdictRound = -VerdictEvery;

    public int Rounds { get; private set; }

    public int? Pid { get; private set; }

    public DateTimeOffset? Started { get; private set; }

    public DateTimeOffset? Latest { get; private set; }

    public IReadOnlyCollection<SeriesTrack> Tracks => _tracks.Values;

    public IReadOnlyList<RecordedEvent> Events => _events;

    public void Add(RoundBuilder round)
    {
        Rounds++;
        Pid = round.Pid ?? Pid;
        Started ??= round.Time;
        Latest = round.Time;
        foreach (var sample in round.Samples)
        {
            if (!_tracks.TryGetValue(sample.Key, out var track))
            {
                // A series that appears late (a new peer) started from zero: its change is its whole value.
                track = new SeriesTrack(sample.Key, Rounds == 1 ? sample.Value : 0);
                _tracks.Add(sample.Key, track);
            }

            track.Add(round.Time, sample.Value, Rounds);
        }

        // A series absent this round (a peer whose connections all closed) is now zero.
        foreach (var track in _tracks.Values)
        {
            if (track.LastRound != Rounds)
            {
                track.Add(round.Time, 0, Rounds);
            }
        }

        AddEvents(round.Events);
    }

    /// <summary>Events that came without a round, such as deliveries settled after the last one.</summary>
    public void AddEvents(IEnumerable<RecordedEvent> events)
    {
        _events.AddRange(events);
        if (_events.Count > 100)
        {
            _events.RemoveRange(0, _events.Count - 100);
        }
    }

    /// <summary>
    /// Leak verdicts over the history so far (connection counts against <paramref name="capacity"/>, fds against
    /// the fd limit), cached between recomputations.
    /// </summary>
    public IReadOnlyList<LeakVerdict> Verdicts(double? capacity)
    {
        if (Rounds - _verdictRound >= VerdictEvery || (Rounds < 60 && Rounds != _verdictRound))
        {
            var data = new RecordedData(
                _tracks.Values.OrderBy(t => t.Key).Select(t => new RecordedSeries(t.Key, t.History)).ToList(),
                _events);
            _verdicts = LeakAnalyzer.Analyze(data, new AnalysisOptions { Capacity = capacity, MaxPoints = 500 });
            _verdictRound = Rounds;
        }

        return _verdicts;
    }

    /// <summary>The watch so far as a recording (each series' downsampled history), for a chart.</summary>
    public RecordedData ToRecording() =>
        new(_tracks.Values.OrderBy(t => t.Key).Select(t => new RecordedSeries(t.Key, t.History.ToArray())).ToList(), _events.ToArray());

    public double? Value(SeriesKey key) => _tracks.TryGetValue(key, out var t) ? t.Last : null;

    public IEnumerable<SeriesTrack> OfMetric(string metric) => _tracks.Values.Where(t => t.Key.Metric == metric);
}

internal sealed class SeriesTrack(SeriesKey key, double first)
{
    /// <summary>At this many stored points, neighbours are merged in pairs and later rounds are averaged two (four, …) at a time.</summary>
    public const int HistoryLength = 2048;

    private readonly Queue<double> _recent = new();
    private readonly List<TimedValue> _history = [];
    private int _stride = 1;
    private int _pending;
    private DateTimeOffset _pendingFrom;
    private double _pendingSum;

    public SeriesKey Key { get; } = key;

    public double First { get; } = first;

    public double Last { get; private set; }

    public int LastRound { get; private set; }

    public double Change => Last - First;

    public IEnumerable<double> Recent => _recent;

    /// <summary>The whole watch, downsampled to at most <see cref="HistoryLength"/> means of equal runs of rounds.</summary>
    public IReadOnlyList<TimedValue> History => _history;

    public void Add(DateTimeOffset time, double value, int round)
    {
        Remember(time, value);
        Last = value;
        LastRound = round;
        _recent.Enqueue(value);
        if (_recent.Count > WatchHistory.RecentLength)
        {
            _recent.Dequeue();
        }
    }

    private void Remember(DateTimeOffset time, double value)
    {
        if (_pending == 0)
        {
            _pendingFrom = time;
        }

        _pending++;
        _pendingSum += value;
        if (_pending < _stride)
        {
            return;
        }

        _history.Add(new TimedValue(_pendingFrom + ((time - _pendingFrom) / 2), _pendingSum / _pending));
        _pending = 0;
        _pendingSum = 0;
        if (_history.Count < HistoryLength)
        {
            return;
        }

        for (var i = 0; i < _history.Count / 2; i++)
        {
            var (a, b) = (_history[2 * i], _history[(2 * i) + 1]);
            _history[i] = new TimedValue(a.Time + ((b.Time - a.Time) / 2), (a.Value + b.Value) / 2);
        }

        _history.RemoveRange(_history.Count / 2, _history.Count - (_history.Count / 2));
        _stride *= 2;
    }
}
