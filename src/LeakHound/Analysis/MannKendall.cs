namespace LeakHound.Analysis;

/// <summary>Mann–Kendall trend test: S, its variance corrected for ties, the normal-approximation z and two-sided p.</summary>
internal readonly record struct MannKendall(double S, double VarianceS, double Z, double P)
{
    /// <summary>O(n²) in the number of values: callers downsample long series first.</summary>
    public static MannKendall Of(ReadOnlySpan<double> values)
    {
        var n = values.Length;
        if (n < 2)
        {
            return new MannKendall(0, 0, 0, 1);
        }

        long s = 0;
        for (var i = 0; i < n - 1; i++)
        {
            var vi = values[i];
            for (var j = i + 1; j < n; j++)
            {
                var d = values[j] - vi;
                s += d > 0 ? 1 : d < 0 ? -1 : 0;
            }
        }

        var variance = Variance(values);
        if (variance <= 0)
        {
            // Every value equal: no evidence of any trend.
            return new MannKendall(s, 0, 0, 1);
        }

        // Continuity correction: S moves in steps of 2.
        var z = s > 0 ? (s - 1) / Math.Sqrt(variance) : s < 0 ? (s + 1) / Math.Sqrt(variance) : 0;
        return new MannKendall(s, variance, z, Normal.TwoSidedP(z));
    }

    /// <summary>Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 over groups of t tied values.</summary>
    public static double Variance(ReadOnlySpan<double> values)
    {
        double n = values.Length;
        var sorted = values.ToArray();
        Array.Sort(sorted);
        double ties = 0;
        for (var i = 0; i < sorted.Length;)
        {
            var j = i + 1;
            while (j < sorted.Length && sorted[j] == sorted[i])
            {
                j++;
            }

            double t = j - i;
            ties += t * (t - 1) * ((2 * t) + 5);
            i = j;
        }

        return ((n * (n - 1) * ((2 * n) + 5)) - ties) / 18;
    }
}
