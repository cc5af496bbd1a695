namespace LeakHound.Analysis;

/// <summary>The standard normal distribution, for the normal approximation of Mann–Kendall's S.</summary>
internal static class Normal
{
    /// <summary>z for a two-sided 95% interval.</summary>
    public const double Z975 = 1.959963984540054;

    /// <summary>Two-sided p-value of a standard normal z.</summary>
    public static double TwoSidedP(double z) => Math.Clamp(Erfc(Math.Abs(z) / Math.Sqrt(2)), 0, 1);

    /// <summary>
    /// Complementary error function (Numerical Recipes' erfcc, fractional error below 1.2e-7): enough for
    /// p-values compared with 0.01, and it stays accurate in the far tail where 1 − erf(x) would round to 0.
    /// </summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = 0.0;
        for (var i = c.Length - 1; i >= 0; i--)
        {
            poly = c[i] + (t * poly);
        }

        var r = t * Math.Exp(-(z * z) + poly);
        return x >= 0 ? r : 2 - r;
    }
}
