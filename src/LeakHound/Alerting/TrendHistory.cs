using LeakHound.Samples;

namespace LeakHound.Alerting;

/// <summary>
/// The recent values of one series for trend rules, in bounded memory: when full, every other point is dropped,
/// so the history keeps its whole span at half the resolution (a week at 1 s fits in a few thousand points).
/// </summary>
internal sealed class TrendHistory
{
    private const int Capacity = 4096;
    private readonly List<TimedValue> _points = new(Capacity);
    private int _stride = 1;
    private int _skipped;

    public IReadOnlyList<TimedValue> Points => _points;

    public void Add(DateTimeOffset time, double value)
    {
        if (++_skipped < _stride)
        {
            return;
        }

        _skipped = 0;
        _points.Add(new TimedValue(time, value));
        if (_points.Count < Capacity)
        {
            return;
        }

        for (var i = 0; i < _points.Count / 2; i++)
        {
            _points[i] = _points[i * 2];
        }

        _points.RemoveRange(_points.Count / 2, _points.Count - (_points.Count / 2));
        _stride *= 2;
    }

    public void Clear()
    {
        _points.Clear();
        _stride = 1;
        _skipped = 0;
    }
}
