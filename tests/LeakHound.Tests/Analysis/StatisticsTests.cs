using LeakHound.Analysis;

namespace LeakHound.Tests.Analysis;

public sealed class StatisticsTests
{
    [Fact]
    public void Mann_Kendall_of_a_strictly_increasing_series_matches_the_textbook_values()
    {
        // n = 5: S = 10, Var(S) = 5·4·15/18 = 16.67, z = (10 − 1)/√16.67 = 2.2045, p = 0.0275.
        var mk = MannKendall.Of([1, 2, 3, 4, 5]);

        Assert.Equal(10, mk.S);
        Assert.Equal(16.6667, mk.VarianceS, 3);
        Assert.InRange(mk.Z, 2.204, 2.205);
        Assert.InRange(mk.P, 0.0274, 0.0276);
    }

    [Fact]
    public void Mann_Kendall_variance_is_corrected_for_ties()
    {
        // Ties {1,1} and {3,3,3}: [6·5·17 − 2·1·9 − 3·2·11] / 18 = (510 − 18 − 66) / 18 = 23.67.
        var mk = MannKendall.Of([1, 1, 2, 3, 3, 3]);

        Assert.Equal(23.6667, mk.VarianceS, 3);
        Assert.Equal(11, mk.S);
    }

    [Fact]
    public void Mann_Kendall_of_a_constant_series_finds_nothing()
    {
        var mk = MannKendall.Of([4, 4, 4, 4, 4, 4, 4, 4]);

        Assert.Equal(1, mk.P);
        Assert.Equal(0, mk.S);
    }

    [Fact]
    public void Theil_Sen_ignores_outliers_that_pull_least_squares()
    {
        double[] x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        var y = x.Select(v => 2 * v + 1).ToArray();
        y[9] = 500;

        var ts = TheilSen.Of(x, y, MannKendall.Variance(y));

        Assert.Equal(2, ts.Slope, 9);
        Assert.Equal(1, ts.Intercept, 9);
        Assert.True(ts.Low <= 2 && ts.High >= 2, $"{ts.Low} … {ts.High}");
    }

    [Fact]
    public void Select_agrees_with_sorting()
    {
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var values = Enumerable.Range(0, random.Next(1, 60)).Select(_ => (double)random.Next(0, 10)).ToArray();
            var sorted = values.Order().ToArray();
            var k = random.Next(values.Length);

            Assert.Equal(sorted[k], Select.Nth(values.ToArray(), k));
        }
    }

    [Fact]
    public void Normal_p_values_match_tables()
    {
        Assert.Equal(0.05, Normal.TwoSidedP(1.959964), 5);
        Assert.Equal(0.01, Normal.TwoSidedP(2.575829), 5);
        Assert.Equal(1, Normal.TwoSidedP(0), 6);
    }
}
