using LeakHound.Samples;

namespace LeakHound.Analysis;

/// <summary>
/// How much a series changed over a recording: first and last value and the least-squares slope.
/// A plain description, not a verdict: the trend test that says "leaking" with confidence is separate.
/// </summary>
public sealed record SeriesGrowth(SeriesKey Key, double First, double Last, double Min, double Max, double SlopePerHour, TimeSpan Span)
{
    public double Change => Last - First;

    public static SeriesGrowth? Of(SeriesKey key, IReadOnlyList<TimedValue> points)
    {
        if (points.Count == 0)
        {
            return null;
        }

        var t0 = points[0].Time;
        double n = points.Count, sx = 0, sy = 0, sxx = 0, sxy = 0, min = double.MaxValue, max = double.MinValue;
        foreach (var p in points)
        {
            var x = (p.Time - t0).TotalHours;
            sx += x;
            sy += p.Value;
            sxx += x * x;
            sxy += x * p.Value;
            min = Math.Min(min, p.Value);
            max = Math.Max(max, p.Value);
        }

        var denominator = (n * sxx) - (sx * sx);
        var slope = denominator > 1e-12 ? ((n * sxy) - (sx * sy)) / denominator : 0;
        return new SeriesGrowth(key, points[0].Value, points[^1].Value, min, max, slope, points[^1].Time - t0);
    }
}
