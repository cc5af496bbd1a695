namespace LeakHound.Analysis;

/// <summary>
/// When a growth began: the change point of the model "flat, then a straight line up" (a hinge) that fits the
/// series best by least squares. A leak that starts halfway through a recording is flat before, so the best hinge
/// sits at its start; a leak that grew all along puts it at the beginning.
/// </summary>
internal static class OnsetDetector
{
    private const int MaxCandidates = 200;

    /// <summary>The index of the best hinge in <paramref name="x"/> (0 when the growth spans the whole series).</summary>
    public static int Find(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var n = x.Length;
        if (n < 4)
        {
            return 0;
        }

        // The hinge must leave at least three points on the line.
        var last = n - 3;
        var stride = Math.Max(1, last / MaxCandidates);
        var best = 0;
        var bestSse = double.MaxValue;
        for (var k = 0; k <= last; k += stride)
        {
            var sse = HingeSse(x, y, x[k], out var slope);
            if (slope > 0 && sse < bestSse - (1e-12 * Math.Abs(bestSse)))
            {
                bestSse = sse;
                best = k;
            }
        }

        // Refine around the coarse best.
        for (var k = Math.Max(0, best - stride + 1); k <= Math.Min(last, best + stride - 1); k++)
        {
            var sse = HingeSse(x, y, x[k], out var slope);
            if (slope > 0 && sse < bestSse - (1e-12 * Math.Abs(bestSse)))
            {
                bestSse = sse;
                best = k;
            }
        }

        return best;
    }

    /// <summary>Least squares of y = a + b·max(0, x − tau): a simple regression on the hinge feature.</summary>
    private static double HingeSse(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double tau, out double slope)
    {
        var n = x.Length;
        double sh = 0, sy = 0, shh = 0, shy = 0;
        for (var i = 0; i < n; i++)
        {
            var h = Math.Max(0, x[i] - tau);
            sh += h;
            sy += y[i];
            shh += h * h;
            shy += h * y[i];
        }

        var denominator = (n * shh) - (sh * sh);
        if (denominator <= 0)
        {
            slope = 0;
            return double.MaxValue;
        }

        slope = ((n * shy) - (sh * sy)) / denominator;
        var intercept = (sy - (slope * sh)) / n;
        double sse = 0;
        for (var i = 0; i < n; i++)
        {
            var r = y[i] - intercept - (slope * Math.Max(0, x[i] - tau));
            sse += r * r;
        }

        return sse;
    }
}
