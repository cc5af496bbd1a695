namespace LeakHound.Analysis;

/// <summary>
/// Theil–Sen slope (the median of all pairwise slopes) with Sen's confidence interval from Mann–Kendall's
/// Var(S): C = z·√Var(S), and the bounds are the ordered slopes of rank (N − C)/2 and (N + C)/2 + 1.
/// Robust to outliers (up to ~29% of points), unlike least squares.
/// </summary>
internal readonly record struct TheilSen(double Slope, double Low, double High, double Intercept)
{
    /// <summary>O(n²) pairs: callers downsample long series first. Order statistics by selection, not a full sort.</summary>
    public static TheilSen Of(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double varianceS)
    {
        var n = x.Length;
        var slopes = new double[Math.Max(1, n * (n - 1) / 2)];
        var count = 0;
        for (var i = 0; i < n - 1; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var dx = x[j] - x[i];
                if (dx > 0)
                {
                    slopes[count++] = (y[j] - y[i]) / dx;
                }
            }
        }

        if (count == 0)
        {
            return new TheilSen(0, 0, 0, n > 0 ? y[0] : 0);
        }

        var span = slopes.AsSpan(0, count);
        var slope = Median(span);
        var c = Normal.Z975 * Math.Sqrt(Math.Max(0, varianceS));
        var lowRank = (int)Math.Clamp(Math.Floor((count - c) / 2), 1, count);
        var highRank = (int)Math.Clamp(Math.Ceiling((count + c) / 2) + 1, 1, count);
        var low = Math.Min(slope, Select.Nth(span, lowRank - 1));
        var high = Math.Max(slope, Select.Nth(span, highRank - 1));

        var offsets = new double[n];
        for (var i = 0; i < n; i++)
        {
            offsets[i] = y[i] - (slope * x[i]);
        }

        return new TheilSen(slope, low, high, Median(offsets));
    }

    private static double Median(Span<double> values)
    {
        var n = values.Length;
        var upper = Select.Nth(values, n / 2);
        return n % 2 == 1 ? upper : (Select.Nth(values, (n / 2) - 1) + upper) / 2;
    }
}
