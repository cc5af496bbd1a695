using LeakHound.Samples;

namespace LeakHound.Reporting;

/// <summary>
/// Several series on one shared time axis, as a chart draws them: <see cref="Times"/> in Unix milliseconds, ascending,
/// and for each series one value per time, NaN where that series has no value there.
/// Rows listed in <see cref="Breaks"/> are deliberate holes (a recording gap) where a line must not be drawn across.
/// </summary>
internal sealed record AlignedSeries(long[] Times, double[][] Values, int[] Breaks)
{
    /// <summary>How many values (not NaN) series <paramref name="index"/> has: the points a chart draws for it.</summary>
    public int PointCount(int index) => Values[index].Count(double.IsFinite);
}

/// <summary>
/// Shrinks long series to what a chart can show, keeping every peak: min/max per time bucket.
/// </summary>
/// <remarks>
/// A week of 1-second samples is 600,000 points a series; a chart is about 1,000 pixels wide, so it can show at most
/// one minimum and one maximum per pixel column anyway. Each bucket keeps the minimum and the maximum in the order
/// they happened, so a one-sample spike (a burst of CLOSE_WAIT) survives, and the global minimum and maximum always do.
/// LTTB would pick fewer, "prettier" points but may drop a spike; for leak hunting the spike is the point.
/// All series of a chart share the buckets so they stay aligned on one x axis (uPlot's data shape).
/// </remarks>
internal static class Downsampling
{
    /// <summary>
    /// Aligns <paramref name="series"/> on one time axis with at most <paramref name="maxPoints"/> rows (so at most
    /// that many points a series), raw when they fit, min/max buckets otherwise. A row of NaN is inserted at each of
    /// <paramref name="breaks"/> that falls inside the data, so lines stop at a recording gap.
    /// </summary>
    public static AlignedSeries Align(IReadOnlyList<IReadOnlyList<TimedValue>> series, int maxPoints, IReadOnlyList<DateTimeOffset>? breaks = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 4);
        long first = long.MaxValue, last = long.MinValue, total = 0;
        foreach (var points in series)
        {
            if (points.Count > 0)
            {
                first = Math.Min(first, points[0].Time.ToUnixTimeMilliseconds());
                last = Math.Max(last, points[^1].Time.ToUnixTimeMilliseconds());
                total += points.Count;
            }
        }

        if (total == 0)
        {
            return new AlignedSeries([], series.Select(_ => Array.Empty<double>()).ToArray(), []);
        }

        var breakTimes = (breaks ?? [])
            .Select(b => b.ToUnixTimeMilliseconds())
            .Where(t => t > first && t < last)
            .Distinct()
            .Order()
            .ToArray();

        // Breaks take rows of their own; what is left of the budget is shared by the data.
        var budget = Math.Max(4, maxPoints - breakTimes.Length);
        var aligned = total <= 4L * budget && Raw(series, budget) is { } raw
            ? raw
            : Buckets(series, first, last, budget / 2);
        return InsertBreaks(aligned, breakTimes);
    }

    /// <summary>Every sample at its own time, when the union of times fits the budget; null when it does not.</summary>
    private static AlignedSeries? Raw(IReadOnlyList<IReadOnlyList<TimedValue>> series, int budget)
    {
        var times = new SortedSet<long>();
        foreach (var points in series)
        {
            foreach (var p in points)
            {
                times.Add(p.Time.ToUnixTimeMilliseconds());
                if (times.Count > budget)
                {
                    return null;
                }
            }
        }

        var axis = times.ToArray();
        var values = new double[series.Count][];
        for (var s = 0; s < series.Count; s++)
        {
            var row = values[s] = Filled(axis.Length);
            foreach (var p in series[s])
            {
                // Two samples of one series at the same millisecond: the later one wins, as a chart would show it.
                row[Array.BinarySearch(axis, p.Time.ToUnixTimeMilliseconds())] = p.Value;
            }
        }

        return new AlignedSeries(axis, values, []);
    }

    private static AlignedSeries Buckets(IReadOnlyList<IReadOnlyList<TimedValue>> series, long first, long last, int bucketCount)
    {
        var span = last - first + 1;
        var bucketStart = new long[bucketCount];
        var bucketEnd = new long[bucketCount];
        Array.Fill(bucketStart, long.MaxValue);
        Array.Fill(bucketEnd, long.MinValue);
        var perSeries = new Bucket[series.Count][];

        for (var s = 0; s < series.Count; s++)
        {
            var buckets = perSeries[s] = new Bucket[bucketCount];
            foreach (var p in series[s])
            {
                var t = p.Time.ToUnixTimeMilliseconds();
                var b = (int)((t - first) * bucketCount / span);
                ref var bucket = ref buckets[b];
                bucket.Add(t, p.Value);
                bucketStart[b] = Math.Min(bucketStart[b], t);
                bucketEnd[b] = Math.Max(bucketEnd[b], t);
            }
        }

        // Two rows per bucket that holds data: at its first and at its last sample time (one row when they coincide).
        var times = new List<long>(bucketCount * 2);
        var columns = series.Select(_ => new List<double>(bucketCount * 2)).ToArray();
        for (var b = 0; b < bucketCount; b++)
        {
            if (bucketStart[b] == long.MaxValue)
            {
                continue;
            }

            var single = bucketStart[b] == bucketEnd[b];
            times.Add(bucketStart[b]);
            if (!single)
            {
                times.Add(bucketEnd[b]);
            }

            for (var s = 0; s < series.Count; s++)
            {
                var bucket = perSeries[s][b];
                var (early, late) = bucket.Count == 0 ? (double.NaN, double.NaN)
                    : bucket.MinTime <= bucket.MaxTime ? (bucket.Min, bucket.Max)
                    : (bucket.Max, bucket.Min);
                if (single)
                {
                    columns[s].Add(early);
                }
                else
                {
                    columns[s].Add(early);
                    columns[s].Add(late);
                }
            }
        }

        return new AlignedSeries(times.ToArray(), columns.Select(c => c.ToArray()).ToArray(), []);
    }

    private static AlignedSeries InsertBreaks(AlignedSeries aligned, long[] breakTimes)
    {
        if (breakTimes.Length == 0)
        {
            return aligned;
        }

        var times = new List<long>(aligned.Times.Length + breakTimes.Length);
        var columns = aligned.Values.Select(_ => new List<double>(aligned.Times.Length + breakTimes.Length)).ToArray();
        var rows = new List<int>();
        var next = 0;
        for (var i = 0; i <= aligned.Times.Length; i++)
        {
            // A break goes before the first row at or after it, so it always separates the samples on either side.
            while (next < breakTimes.Length && (i == aligned.Times.Length || breakTimes[next] <= aligned.Times[i]))
            {
                var t = times.Count > 0 ? Math.Max(breakTimes[next], times[^1]) : breakTimes[next];
                rows.Add(times.Count);
                times.Add(t);
                foreach (var column in columns)
                {
                    column.Add(double.NaN);
                }

                next++;
            }

            if (i < aligned.Times.Length)
            {
                times.Add(aligned.Times[i]);
                for (var s = 0; s < columns.Length; s++)
                {
                    columns[s].Add(aligned.Values[s][i]);
                }
            }
        }

        return new AlignedSeries(times.ToArray(), columns.Select(c => c.ToArray()).ToArray(), rows.ToArray());
    }

    /// <summary>
    /// Adds an empty row at <paramref name="first"/> and at <paramref name="last"/> when the data does not reach them,
    /// so that every chart of a report spans the same time range and the charts line up one under another.
    /// </summary>
    public static AlignedSeries Span(AlignedSeries aligned, long first, long last)
    {
        if (aligned.Times.Length == 0)
        {
            return aligned;
        }

        var before = aligned.Times[0] > first ? 1 : 0;
        var after = aligned.Times[^1] < last ? 1 : 0;
        if (before + after == 0)
        {
            return aligned;
        }

        var times = new long[aligned.Times.Length + before + after];
        aligned.Times.CopyTo(times, before);
        times[0] = Math.Min(first, aligned.Times[0]);
        times[^1] = Math.Max(last, aligned.Times[^1]);
        var values = aligned.Values.Select(v =>
        {
            var row = Filled(times.Length);
            v.CopyTo(row, before);
            return row;
        }).ToArray();
        return new AlignedSeries(times, values, [.. aligned.Breaks.Select(b => b + before)]);
    }

    private static double[] Filled(int length)
    {
        var row = new double[length];
        Array.Fill(row, double.NaN);
        return row;
    }

    private struct Bucket
    {
        public int Count;
        public double Min;
        public double Max;
        public long MinTime;
        public long MaxTime;

        public void Add(long time, double value)
        {
            if (Count++ == 0)
            {
                (Min, Max, MinTime, MaxTime) = (value, value, time, time);
                return;
            }

            if (value < Min)
            {
                (Min, MinTime) = (value, time);
            }

            if (value > Max)
            {
                (Max, MaxTime) = (value, time);
            }
        }
    }
}
