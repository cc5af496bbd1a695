using System.Globalization;
using System.Text;

namespace LeakHound.Testing;

/// <summary>One target with more busy connections after than before.</summary>
public sealed record Leak(LeakTarget Target, long Before, long After, IReadOnlyList<Acquisition> Acquisitions)
{
    public long Count => After - Before;
}

/// <summary>The outcome of a guard's check.</summary>
public sealed class LeakReport
{
    internal LeakReport(IReadOnlyList<Leak> leaks, ConnectionSnapshot before, ConnectionSnapshot after, TimeSpan waited, string? testName, bool ranInParallel)
    {
        Leaks = leaks;
        Before = before;
        After = after;
        Waited = waited;
        TestName = testName;
        RanInParallel = ranInParallel;
    }

    public IReadOnlyList<Leak> Leaks { get; }

    public bool HasLeaks => Leaks.Count > 0;

    public ConnectionSnapshot Before { get; }

    public ConnectionSnapshot After { get; }

    /// <summary>How long the check waited for connections to come back.</summary>
    public TimeSpan Waited { get; }

    public string? TestName { get; }

    /// <summary>Another guarded test ran at the same time, so process-wide counts may include its connections.</summary>
    public bool RanInParallel { get; }

    /// <summary>The failure message: what leaked, where to, how many, and where each was acquired when tracking is on.</summary>
    public string Describe()
    {
        if (!HasLeaks)
        {
            return "No connection leaked.";
        }

        var text = new StringBuilder();
        var total = Leaks.Sum(l => l.Count);
        text.Append(CultureInfo.InvariantCulture, $"Connection leak{(TestName is null ? "" : $" in {TestName}")}: {total} connection{(total == 1 ? "" : "s")} still in use ")
            .Append(CultureInfo.InvariantCulture, $"{Waited.TotalSeconds:0.0} s after the test ended.\n");
        foreach (var leak in Leaks)
        {
            text.Append(CultureInfo.InvariantCulture, $"- {leak.Count} {leak.Target.Describe(leak.Count)} ({leak.Before} in use before, {leak.After} after)\n");
            if (leak.Acquisitions.Count > 0)
            {
                foreach (var a in leak.Acquisitions)
                {
                    var what = a.Kind == LeakKind.Http ? "response not disposed" : "connection opened and not closed";
                    text.Append(CultureInfo.InvariantCulture, $"  {what}, taken on thread {a.ThreadId} at {a.At:HH:mm:ss.fff}:\n").Append(Indent(a.Stack));
                }
            }
            else if (leak.Target.Kind is LeakKind.Http or LeakKind.NpgsqlPool)
            {
                text.Append(leak.Target.Kind == LeakKind.Http
                    ? "  (to see where it was taken, add LeakTrackingHandler to the HttpClient: new HttpClient(new LeakTrackingHandler(handler)) or AddHttpClient(...).AddLeakTracking())\n"
                    : "  (to see where it was taken, open connections through dataSource.WithLeakTracking())\n");
            }
        }

        if (RanInParallel)
        {
            text.Append("Note: other guarded tests ran at the same time; the process-wide counts include their connections. ")
                .Append("The assembly-wide check needs tests that do not run in parallel (or ConnectionLeakGuard.ForHandler per test).\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string Indent(string stack) =>
        string.Concat(stack.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l + "\n"));

    public override string ToString() => Describe();
}

/// <summary>Thrown when a guard finds a leak; the message is the report.</summary>
public sealed class ConnectionLeakException : Exception
{
    public ConnectionLeakException(LeakReport report) : base(report.Describe()) => Report = report;

    public ConnectionLeakException() : base("Connection leak.") { }

    public ConnectionLeakException(string message) : base(message) { }

    public ConnectionLeakException(string message, Exception innerException) : base(message, innerException) { }

    public LeakReport? Report { get; }
}

/// <summary>Thrown by the pool-of-one handler when no connection came free in time.</summary>
public sealed class ConnectionPoolExhaustedException : Exception
{
    public ConnectionPoolExhaustedException() : base("connection pool exhausted: probable leak") { }

    public ConnectionPoolExhaustedException(string message) : base(message) { }

    public ConnectionPoolExhaustedException(string message, Exception innerException) : base(message, innerException) { }
}
