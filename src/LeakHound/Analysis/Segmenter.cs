using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Analysis;

/// <summary>
/// Splits a series where the process it describes was not continuously watched: at restarts, gaps and new watches
/// (recorded events), and where the time between two points is much longer than the typical interval. A count
/// before a restart says nothing about the process after it, so the verdict looks at the last segment only.
/// </summary>
internal static class Segmenter
{
    /// <summary>A time step this many times the median interval is a gap even without a recorded event.</summary>
    public const double GapFactor = 10;

    /// <summary>Start indexes of each segment (the first is 0), linear in points and events.</summary>
    public static List<int> Starts(IReadOnlyList<TimedValue> points, IReadOnlyList<RecordedEvent> events)
    {
        var starts = new List<int> { 0 };
        if (points.Count < 2)
        {
            return starts;
        }

        var gap = GapFactor * TypicalInterval(points);
        var breaks = events
            .Where(e => e.Kind is EventKind.Restart or EventKind.Gap or EventKind.Start)
            .Select(e => e.Time)
            .Order()
            .ToList();
        var next = 0;
        while (next < breaks.Count && breaks[next] <= points[0].Time)
        {
            next++;
        }

        for (var i = 1; i < points.Count; i++)
        {
            var split = gap > TimeSpan.Zero && points[i].Time - points[i - 1].Time > gap;
            while (next < breaks.Count && breaks[next] <= points[i].Time)
            {
                // The first point at or after the event belongs to the new segment.
                split = true;
                next++;
            }

            if (split)
            {
                starts.Add(i);
            }
        }

        return starts;
    }

    /// <summary>The median time between points (from at most ~10,000 evenly spread steps, so it stays cheap).</summary>
    public static TimeSpan TypicalInterval(IReadOnlyList<TimedValue> points)
    {
        var steps = points.Count - 1;
        if (steps < 1)
        {
            return TimeSpan.Zero;
        }

        var stride = Math.Max(1, steps / 10_000);
        var ticks = new List<double>((steps / stride) + 1);
        for (var i = 1; i < points.Count; i += stride)
        {
            ticks.Add((points[i].Time - points[i - 1].Time).Ticks);
        }

        return TimeSpan.FromTicks((long)Select.Median(ticks.ToArray()));
    }
}
