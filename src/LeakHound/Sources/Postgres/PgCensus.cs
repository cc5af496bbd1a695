using LeakHound.Samples;

namespace LeakHound.Sources.Postgres;

/// <summary>
/// Turns one pg_stat_activity snapshot into samples. Per-application series are bounded (the top applications
/// by connections, the rest summed as <c>other</c>), so a client that sets a new application_name per connection
/// cannot grow the store without limit.
/// </summary>
public static class PgCensus
{
    public const int TopApplications = 20;
    public const string OtherApplication = "other";

    /// <summary>Every state label, recorded each round with zeros, as the TCP states are.</summary>
    public static IReadOnlyList<string> States { get; } =
        ["active", "idle", "idle_in_transaction", "idle_in_transaction_aborted", "fastpath_function_call", "disabled", "unknown"];

    /// <summary>pg_stat_activity's state as a label: snake case like the TCP states; <c>unknown</c> for a hidden session.</summary>
    public static string StateLabel(string? state) => state switch
    {
        null => "unknown",
        "idle in transaction" => "idle_in_transaction",
        "idle in transaction (aborted)" => "idle_in_transaction_aborted",
        "fastpath function call" => "fastpath_function_call",
        _ => state.Replace(' ', '_'),
    };

    public static List<Sample> ToSamples(PgSnapshot snapshot, TimeSpan idleThreshold)
    {
        var samples = new List<Sample>();
        var backends = snapshot.Backends;
        foreach (var state in States)
        {
            samples.Add(new Sample(SeriesKey.Of(MetricNames.PgConnections, (MetricNames.StateLabel, state)), backends.Count(b => StateLabel(b.State) == state)));
        }

        var top = TopOf(backends);
        foreach (var group in backends
                     .GroupBy(b => (Application: Bucket(b.Application, top), State: StateLabel(b.State)))
                     .OrderBy(g => g.Key.Application, StringComparer.Ordinal).ThenBy(g => g.Key.State, StringComparer.Ordinal))
        {
            samples.Add(new Sample(
                SeriesKey.Of(MetricNames.PgAppConnections, (MetricNames.ApplicationLabel, group.Key.Application), (MetricNames.StateLabel, group.Key.State)),
                group.Count()));
        }

        samples.Add(new Sample(SeriesKey.Of(MetricNames.PgMaxConnections), snapshot.Server.MaxConnections));
        samples.Add(new Sample(SeriesKey.Of(MetricNames.PgReservedConnections), snapshot.Server.ReservedTotal));
        samples.Add(new Sample(SeriesKey.Of(MetricNames.PgOldestIdleSeconds), OldestAge(backends, b => b.State == "idle")));
        samples.Add(new Sample(SeriesKey.Of(MetricNames.PgOldestIdleInTransactionSeconds), OldestAge(backends, b => b.State is "idle in transaction" or "idle in transaction (aborted)")));

        var threshold = idleThreshold.TotalSeconds;
        foreach (var group in backends
                     .Where(b => b.IsIdle && b.StateAgeSeconds > threshold)
                     .GroupBy(b => Bucket(b.Application, top))
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            samples.Add(new Sample(SeriesKey.Of(MetricNames.PgIdleLongerThanThreshold, (MetricNames.ApplicationLabel, group.Key)), group.Count()));
        }

        return samples;
    }

    /// <summary>The applications holding most connections (ties by name, so the choice is stable from round to round).</summary>
    private static HashSet<string> TopOf(IReadOnlyList<PgBackend> backends) =>
        backends.GroupBy(b => b.Application)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(TopApplications)
            .Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);

    private static string Bucket(string application, HashSet<string> top) => top.Contains(application) ? application : OtherApplication;

    private static double OldestAge(IReadOnlyList<PgBackend> backends, Func<PgBackend, bool> which)
    {
        var oldest = 0.0;
        foreach (var b in backends)
        {
            if (which(b) && b.StateAgeSeconds is { } age && age > oldest)
            {
                oldest = age;
            }
        }

        return Math.Round(oldest, 1);
    }
}
