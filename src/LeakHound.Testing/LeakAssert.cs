namespace LeakHound.Testing;

/// <summary>Seed 003's burst of load with a ranged assertion on the connections still in use afterwards.</summary>
public static class LeakAssert
{
    /// <summary>
    /// Runs <paramref name="operation"/> <paramref name="iterations"/> times, <paramref name="concurrency"/> at a time,
    /// then fails with <see cref="ConnectionLeakException"/> when any server or pool has more than
    /// <paramref name="tolerance"/> more connections in use than before the burst (after the guard's retry window).
    /// A leak of one connection per call shows as about <paramref name="iterations"/> here, far outside any tolerance.
    /// </summary>
    public static async Task<LeakReport> UnderLoadAsync(Func<Task> operation, int iterations = 100, int concurrency = 8, int tolerance = 0, LeakGuardOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        var guard = ConnectionLeakGuard.Start((options ?? LeakGuardOptions.Default) with { Tolerance = tolerance });
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(concurrency, iterations)).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < iterations)
            {
                await operation().ConfigureAwait(false);
            }
        });
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch
        {
            guard.Abandon();
            throw;
        }

        var report = await guard.StopAsync().ConfigureAwait(false);
        return report.HasLeaks ? throw new ConnectionLeakException(report) : report;
    }
}
