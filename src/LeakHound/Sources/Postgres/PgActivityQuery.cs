using Npgsql;

namespace LeakHound.Sources.Postgres;

/// <summary>What the server says about itself: its limits, its version and what the connected role may see.</summary>
public sealed record PgServerInfo(
    int MaxConnections,
    int SuperuserReserved,
    int Reserved,
    int VersionNum,
    string CurrentUser,
    bool SeesAllSessions,
    DateTimeOffset StartedAt,
    TimeSpan? IdleInTransactionTimeout,
    TimeSpan? IdleSessionTimeout)
{
    /// <summary>superuser_reserved_connections plus reserved_connections (PostgreSQL 16 and later).</summary>
    public int ReservedTotal => SuperuserReserved + Reserved;

    /// <summary>What ordinary clients can really open: max_connections minus the reserved slots.</summary>
    public int Capacity => MaxConnections - ReservedTotal;

    /// <summary>idle_session_timeout exists from PostgreSQL 14.</summary>
    public bool HasIdleSessionTimeout => VersionNum >= 140000;

    public string Version => $"{VersionNum / 10000}.{VersionNum % 10000}";
}

/// <summary>
/// One client backend as pg_stat_activity shows it. For a role without pg_read_all_stats, another user's
/// session has no state, client or ages, and its query reads <c>&lt;insufficient privilege&gt;</c>.
/// </summary>
public sealed record PgBackend(
    int Pid,
    string? Database,
    string? User,
    string Application,
    string? ClientAddress,
    string? State,
    double? StateAgeSeconds,
    string? Query)
{
    public const string InsufficientPrivilege = "<insufficient privilege>";

    /// <summary>True for another user's session that the connected role may not inspect: a visible client backend always has a state.</summary>
    public bool Hidden => State is null;

    public bool IsIdle => State is "idle" or "idle in transaction" or "idle in transaction (aborted)";
}

/// <summary>pg_stat_activity at one moment, with the server's limits read in the same transaction.</summary>
public sealed record PgSnapshot(PgServerInfo Server, IReadOnlyList<PgBackend> Backends);

/// <summary>
/// The census query: one round trip (a batch of two statements in one implicit read-only transaction).
/// Only client backends count, and never LeakHound's own session. Another user's session hidden from a
/// low-privilege role has no backend_type, but it has a database: it is counted, with an unknown state.
/// </summary>
public static class PgActivityQuery
{
    internal const string ServerSql = """
        SELECT current_setting('max_connections')::int,
               current_setting('superuser_reserved_connections')::int,
               coalesce(current_setting('reserved_connections', true)::int, 0),
               current_setting('server_version_num')::int,
               current_user::text,
               pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),
               pg_postmaster_start_time(),
               extract(epoch FROM current_setting('idle_in_transaction_session_timeout')::interval)::float8,
               extract(epoch FROM coalesce(current_setting('idle_session_timeout', true), '0')::interval)::float8
        """;

    private const string ActivitySql = """
        SELECT pid, datname::text, usename::text, coalesce(application_name, ''), host(client_addr), state,
               extract(epoch FROM clock_timestamp() - state_change)::float8
        """;

    private const string ActivityFrom = """

        FROM pg_stat_activity
        WHERE pid <> pg_backend_pid()
          AND (backend_type = 'client backend' OR (backend_type IS NULL AND datid IS NOT NULL))
        """;

    /// <summary>The census's two statements as one script, for comparing with psql (the benchmark).</summary>
    public static string Script(bool withQueries) => ServerSql + ";\n" + ActivitySql + (withQueries ? ", query" : "") + ActivityFrom + ";";

    /// <summary>One snapshot on a data source of its own, for one-shot commands; failures become one masked line.</summary>
    public static async Task<PgSnapshot> ReadOnceAsync(string connectionString, bool withQueries, CancellationToken cancellationToken)
    {
        var builder = ConnectionStrings.ForLeakHound(connectionString);
        await using var source = NpgsqlDataSource.Create(builder);
        try
        {
            return await ReadAsync(source, withQueries, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PgErrors.IsUnavailable(e))
        {
            throw PgErrors.CannotConnect(e, connectionString, builder);
        }
    }

    /// <summary>The query is the slowest column to ship and the census does not need it: only suspects asks for it.</summary>
    public static async Task<PgSnapshot> ReadAsync(NpgsqlDataSource source, bool withQueries, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(ServerSql),
                new NpgsqlBatchCommand(ActivitySql + (withQueries ? ", query" : "") + ActivityFrom),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("the server returned no settings row");
        }

        var server = new PgServerInfo(
            reader.GetInt32(0),
            reader.GetInt32(1),
            reader.GetInt32(2),
            reader.GetInt32(3),
            reader.GetString(4),
            reader.GetBoolean(5),
            reader.GetFieldValue<DateTimeOffset>(6),
            Timeout(reader.GetDouble(7)),
            Timeout(reader.GetDouble(8)));
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var backends = new List<PgBackend>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            backends.Add(new PgBackend(
                reader.GetInt32(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : Math.Max(0, reader.GetDouble(6)),
                withQueries && !reader.IsDBNull(7) ? reader.GetString(7) : null));
        }

        return new PgSnapshot(server, backends);
    }

    private static TimeSpan? Timeout(double seconds) => seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
}
