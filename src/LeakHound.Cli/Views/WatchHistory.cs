using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.Sources;

namespace LeakHound.Cli.Views;

/// <summary>What the views need from the rounds so far: each series' first value and its recent values (bounded memory).</summary>
internal sealed class WatchHistory
{
    public const int RecentLength = 40;
    private readonly Dictionary<SeriesKey, SeriesTrack> _tracks = [];
    private readonly List<RecordedEvent> _events = [];

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

            track.Add(sample.Value, Rounds);
        }

        // A series absent this round (a peer whose connections all closed) is now zero.
        foreach (var track in _tracks.Values)
        {
            if (track.LastRound != Rounds)
            {
                track.Add(0, Rounds);
            }
        }

        _events.AddRange(round.Events);
        if (_events.Count > 100)
        {
            _events.RemoveRange(0, _events.Count - 100);
        }
    }

    public double? Value(SeriesKey key) => _tracks.TryGetValue(key, out var t) ? t.Last : null;

    public IEnumerable<SeriesTrack> OfMetric(string metric) => _tracks.Values.Where(t => t.Key.Metric == metric);
}

internal sealed class SeriesTrack(SeriesKey key, double first)
{
    private readonly Queue<double> _recent = new();

    public SeriesKey Key { get; } = key;

    public double First { get; } = first;

    public double Last { get; private set; }

    public int LastRound { get; private set; }

    public double Change => Last - First;

    public IEnumerable<double> Recent => _recent;

    public void Add(double value, int round)
    {
        Last = value;
        LastRound = round;
        _recent.Enqueue(value);
        if (_recent.Count > WatchHistory.RecentLength)
        {
            _recent.Dequeue();
        }
    }
}
