using LeakHound.Samples;

namespace LeakHound.Tests.Analysis;

/// <summary>Series whose answer is known: a shape plus seeded noise, one point per step from a fixed start.</summary>
internal static class Generated
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);

    public static List<TimedValue> Series(int n, TimeSpan step, Func<int, double> shape) =>
        Enumerable.Range(0, n).Select(i => new TimedValue(Start + (step * i), shape(i))).ToList();

    /// <summary>Gaussian noise (Box–Muller) from a seeded generator, so every run sees the same series.</summary>
    public static Func<double> Gaussian(int seed, double sd)
    {
        var random = new Random(seed);
        return () => sd * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
    }

    /// <summary>AR(1) noise: each value keeps <paramref name="phi"/> of the last, as real counts drift rather than jump.</summary>
    public static Func<double> Autocorrelated(int seed, double sd, double phi)
    {
        var innovation = Gaussian(seed, sd * Math.Sqrt(1 - (phi * phi)));
        var last = 0.0;
        return () => last = (phi * last) + innovation();
    }
}
