namespace LeakHound.Analysis;

/// <summary>Order statistics in linear expected time (quickselect), reordering the span in place.</summary>
internal static class Select
{
    /// <summary>The value that would be at <paramref name="k"/> (0-based) if <paramref name="values"/> were sorted.</summary>
    public static double Nth(Span<double> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (hi > lo)
        {
            // Median of three as pivot: sorted and plateau-heavy inputs (counts of connections) stay linear.
            var mid = lo + ((hi - lo) / 2);
            var pivot = MedianOf(values[lo], values[mid], values[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return values[k];
            }
        }

        return values[k];
    }

    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        var copy = values.ToArray();
        var n = copy.Length;
        var upper = Nth(copy, n / 2);
        return n % 2 == 1 ? upper : (Nth(copy, (n / 2) - 1) + upper) / 2;
    }

    /// <summary>Median absolute deviation scaled to a standard deviation for normal noise (×1.4826).</summary>
    public static double RobustSd(ReadOnlySpan<double> values)
    {
        var median = Median(values);
        var deviations = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            deviations[i] = Math.Abs(values[i] - median);
        }

        return 1.4826 * Median(deviations);
    }

    private static double MedianOf(double a, double b, double c) =>
        Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
