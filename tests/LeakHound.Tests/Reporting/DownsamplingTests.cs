using LeakHound.Reporting;
using LeakHound.Samples;

namespace LeakHound.Tests.Reporting;

public sealed class DownsamplingTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_795_000_000);

    private static List<TimedValue> Series(int count, Func<int, double> value, int everyMs = 1000, int offsetMs = 0) =>
        [.. Enumerable.Range(0, count).Select(i => new TimedValue(T0.AddMilliseconds(offsetMs + ((long)i * everyMs)), value(i)))];

    [Theory]
    [InlineData(600_000, 2_000)]
    [InlineData(600_000, 3_000)]
    [InlineData(10_001, 4_000)]
    [InlineData(4_001, 4_000)]
    public void A_week_of_samples_keeps_every_spike_and_the_global_min_and_max_within_the_budget(int count, int budget)
    {
        var random = new Random(42);

        // Noise around a slow climb, with one-sample spikes that a mean or a plain stride would lose.
        var spikes = new HashSet<int> { 17, count / 3, count / 2 + 1, count - 2 };
        var noisy = Series(count, i => spikes.Contains(i) ? 10_000 + i : i == count / 4 ? -500 : (i / 1000.0) + random.Next(0, 20));
        var flat = Series(count, _ => 3, offsetMs: 500);

        var aligned = Downsampling.Align([noisy, flat], budget);

        Assert.True(aligned.Times.Length <= budget, $"{aligned.Times.Length} rows for a budget of {budget}");
        Assert.All(aligned.Values, v => Assert.Equal(aligned.Times.Length, v.Length));
        var kept = aligned.Values[0].Where(double.IsFinite).ToList();
        Assert.Equal(noisy.Max(p => p.Value), kept.Max());
        Assert.Equal(-500, kept.Min());
        Assert.All(spikes, i => Assert.Contains(noisy[i].Value, kept));
        Assert.Equal([3.0], aligned.Values[1].Where(double.IsFinite).Distinct());
        Assert.True(aligned.Times.Zip(aligned.Times.Skip(1)).All(p => p.First <= p.Second), "times must ascend");
    }

    [Fact]
    public void A_value_kept_from_a_bucket_stays_at_its_place_in_time()
    {
        // A spike late in the week must be drawn late in the week, not at its bucket's start.
        var count = 100_000;
        var series = Series(count, i => i == 99_000 ? 1_000 : 1);

        var aligned = Downsampling.Align([series], 1_000);

        var row = Array.IndexOf(aligned.Values[0], 1_000.0);
        Assert.Equal(series[99_000].Time.ToUnixTimeMilliseconds(), aligned.Times[row]);
    }

    [Fact]
    public void Short_series_are_kept_whole_on_the_union_of_their_times()
    {
        var a = Series(10, i => i);
        var b = Series(5, i => 100 + i, everyMs: 2000, offsetMs: 500);

        var aligned = Downsampling.Align([a, b], 3_000);

        Assert.Equal(15, aligned.Times.Length);
        Assert.Equal(a.Select(p => p.Value), aligned.Values[0].Where(double.IsFinite));
        Assert.Equal(b.Select(p => p.Value), aligned.Values[1].Where(double.IsFinite));
        Assert.Empty(aligned.Breaks);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(200_000)]
    public void A_gap_becomes_an_empty_row_between_the_samples_on_either_side(int count)
    {
        var series = Series(count, i => i);
        var gap = T0.AddMilliseconds((count / 2 * 1000L) + 300);

        var aligned = Downsampling.Align([series], 1_000, [gap, T0.AddDays(-1)]);

        var row = Assert.Single(aligned.Breaks);
        Assert.True(double.IsNaN(aligned.Values[0][row]));
        Assert.True(aligned.Times[row - 1] < gap.ToUnixTimeMilliseconds() && aligned.Times[row + 1] > gap.ToUnixTimeMilliseconds());
        Assert.True(aligned.Times.Length <= 1_000);
    }

    [Fact]
    public void Span_pads_a_chart_to_the_reports_time_range_without_adding_points()
    {
        var aligned = Downsampling.Align([Series(10, i => i, offsetMs: 5000)], 100);

        var spanned = Downsampling.Span(aligned, T0.ToUnixTimeMilliseconds(), T0.AddMinutes(1).ToUnixTimeMilliseconds());

        Assert.Equal(T0.ToUnixTimeMilliseconds(), spanned.Times[0]);
        Assert.Equal(T0.AddMinutes(1).ToUnixTimeMilliseconds(), spanned.Times[^1]);
        Assert.Equal(10, spanned.PointCount(0));
    }
}
