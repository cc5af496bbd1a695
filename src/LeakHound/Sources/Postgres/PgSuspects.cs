namespace LeakHound.Sources.Postgres;

/// <summary>
/// Connections idle (or idle in a transaction) for longer than a threshold that come from the same place:
/// the seeds' hand-written pg_stat_activity investigation as one grouping.
/// </summary>
public sealed record SuspectGroup(
    string Application,
    string Client,
    string User,
    string Database,
    int Count,
    int IdleInTransaction,
    double OldestIdleSeconds,
    string? LastQuery);

public sealed record SuspectsReport(
    PgServerInfo Server,
    TimeSpan Threshold,
    string? Database,
    IReadOnlyList<SuspectGroup> Groups,
    int HiddenSessions,
    string? PrivilegeNote,
    IReadOnlyList<string> Advice)
{
    public int Total => Groups.Sum(g => g.Count);
}

public static class PgSuspects
{
    /// <summary>Reads pg_stat_activity with its queries and groups the long-idle connections.</summary>
    public static async Task<SuspectsReport> FindAsync(string connectionString, TimeSpan threshold, string? database, CancellationToken cancellationToken)
    {
        var snapshot = await PgActivityQuery.ReadOnceAsync(connectionString, withQueries: true, cancellationToken).ConfigureAwait(false);
        return Group(snapshot, threshold, database);
    }

    public static SuspectsReport Group(PgSnapshot snapshot, TimeSpan threshold, string? database)
    {
        var inScope = snapshot.Backends.Where(b => database is null || b.Database == database).ToList();
        var groups = inScope
            .Where(b => b.IsIdle && b.StateAgeSeconds > threshold.TotalSeconds)
            .GroupBy(b => (b.Application, Client: b.ClientAddress ?? "local", User: b.User ?? "", Database: b.Database ?? ""))
            .Select(g =>
            {
                var oldest = g.MaxBy(b => b.StateAgeSeconds ?? 0)!;
                return new SuspectGroup(
                    g.Key.Application,
                    g.Key.Client,
                    g.Key.User,
                    g.Key.Database,
                    g.Count(),
                    g.Count(b => b.State != "idle"),
                    Math.Round(oldest.StateAgeSeconds ?? 0, 1),
                    oldest.Query);
            })
            .OrderByDescending(g => g.Count).ThenByDescending(g => g.OldestIdleSeconds)
            .ToList();
        var hidden = inScope.Count(b => b.Hidden);
        return new SuspectsReport(
            snapshot.Server,
            threshold,
            database,
            groups,
            hidden,
            snapshot.Server.SeesAllSessions ? null : PrivilegeNote(snapshot),
            Advice(snapshot.Server, groups));
    }

    /// <summary>Said instead of showing blanks: a role without pg_read_all_stats sees only its own sessions' states and queries.</summary>
    public static string PrivilegeNote(PgSnapshot snapshot)
    {
        var hidden = snapshot.Backends.Count(b => b.Hidden);
        var user = snapshot.Server.CurrentUser;
        return $"connected as {user} without pg_read_all_stats: you only see your own sessions' queries and states " +
               $"({hidden} other session{(hidden == 1 ? "" : "s")} hidden). A superuser can allow it: GRANT pg_read_all_stats TO {QuoteIdentifier(user)};";
    }

    /// <summary>What to do: the server's own timeouts close what a pool forgot, whatever the application.</summary>
    private static List<string> Advice(PgServerInfo server, List<SuspectGroup> groups)
    {
        var advice = new List<string>();
        if (groups.Count == 0)
        {
            return advice;
        }

        if (groups.Any(g => g.IdleInTransaction > 0))
        {
            advice.Add(server.IdleInTransactionTimeout is { } t
                ? $"idle_in_transaction_session_timeout is {Seconds(t)}: sessions idle in a transaction longer than that are ended by the server."
                : "Set idle_in_transaction_session_timeout (e.g. ALTER SYSTEM SET idle_in_transaction_session_timeout = '5min'; SELECT pg_reload_conf();): " +
                  "a session left idle in a transaction holds its locks and snapshot until it ends.");
        }

        if (groups.Any(g => g.Count > g.IdleInTransaction))
        {
            if (!server.HasIdleSessionTimeout)
            {
                advice.Add($"PostgreSQL {server.Version} has no idle_session_timeout (it came in 14): fix the pool's idle timeout or check in connections in the application.");
            }
            else
            {
                advice.Add(server.IdleSessionTimeout is { } t
                    ? $"idle_session_timeout is {Seconds(t)}: idle sessions older than that are ended by the server."
                    : "Set idle_session_timeout (PostgreSQL 14 and later) per role or database, e.g. ALTER ROLE app SET idle_session_timeout = '30min'; " +
                      "it is best kept above the pool's own idle timeout, so a healthy pool is never cut off.");
            }
        }

        advice.Add("Look at the application and client with most connections first: its last query points at the code that did not give the connection back.");
        return advice;
    }

    private static string Seconds(TimeSpan t) => Duration.Format(t);

    private static string QuoteIdentifier(string name) =>
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A query shortened to one line for a table; the whole text stays in JSON.</summary>
    public static string Shorten(string? query, int max)
    {
        if (query is null)
        {
            return "";
        }

        return UntrustedText.Shorten(string.Join(' ', query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), max);
    }

    /// <summary>An idle age for people, to the second.</summary>
    public static string Age(double seconds) => Duration.Format(TimeSpan.FromSeconds(Math.Round(seconds)));
}
