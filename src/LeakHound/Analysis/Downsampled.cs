using LeakHound.Samples;

namespace LeakHound.Analysis;

/// <summary>
/// A segment of a series reduced to at most a given number of buckets of consecutive points: each bucket's mean time,
/// mean value and minimum. The trend tests are O(n²), so six hundred thousand points become a thousand; the minimum
/// is kept because a leak is told from a saw-tooth by its floor, and a mean would hide the floor.
/// </summary>
internal sealed class Downsampled
{
    private Downsampled(DateTimeOffset origin, double[] hours, double[] means, double[] mins)
    {
        Origin = origin;
        Hours = hours;
        Means = means;
        Mins = mins;
    }

    /// <summary>Time zero of <see cref="Hours"/>: the segment's first point.</summary>
    public DateTimeOffset Origin { get; }

    public double[] Hours { get; }

    public double[] Means { get; }

    public double[] Mins { get; }

    public int Count => Hours.Length;

    public DateTimeOffset TimeAt(double hours) => Origin + TimeSpan.FromHours(hours);

    public static Downsampled Of(IReadOnlyList<TimedValue> points, int start, int end, int maxBuckets)
    {
        var n = end - start;
        var buckets = Math.Min(n, Math.Max(1, maxBuckets));
        var origin = points[start].Time;
        var hours = new double[buckets];
        var means = new double[buckets];
        var mins = new double[buckets];
        for (var b = 0; b < buckets; b++)
        {
            var from = start + (int)((long)b * n / buckets);
            var to = start + (int)((long)(b + 1) * n / buckets);
            double t = 0, v = 0, min = double.MaxValue;
            for (var i = from; i < to; i++)
            {
                t += (points[i].Time - origin).TotalHours;
                v += points[i].Value;
                min = Math.Min(min, points[i].Value);
            }

            hours[b] = t / (to - from);
            means[b] = v / (to - from);
            mins[b] = min;
        }

        return new Downsampled(origin, hours, means, mins);
    }
}
