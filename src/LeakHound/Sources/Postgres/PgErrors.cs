using System.Net.Sockets;
using Npgsql;

namespace LeakHound.Sources.Postgres;

/// <summary>Turns what Npgsql throws into one short reason for people, always masked.</summary>
public static class PgErrors
{
    /// <summary>Failures that mean "the server cannot be asked right now" (down, restarting, full, unreachable), not a bug of ours.</summary>
    public static bool IsUnavailable(Exception e) =>
        e is NpgsqlException or SocketException or IOException or TimeoutException;

    /// <summary>The reason in a few words: the server's own message, or the socket's; the password masked.</summary>
    public static string Reason(Exception e, string connectionString)
    {
        var reason = e switch
        {
            PostgresException pg => Server(pg),
            _ when Find<SocketException>(e) is { } socket => socket.Message,
            _ when Find<TimeoutException>(e) is not null => "timed out",
            _ when e.InnerException is { } inner && e is NpgsqlException && e.Message.StartsWith("Exception while", StringComparison.Ordinal) => inner.Message,
            _ => e.Message,
        };
        return ConnectionStrings.Mask(reason.TrimEnd('.'), connectionString);
    }

    /// <summary>The one line shown when LeakHound cannot start: who, where, why, never the password.</summary>
    public static LeakHoundException CannotConnect(Exception e, string connectionString, NpgsqlConnectionStringBuilder builder) =>
        new($"Could not connect to PostgreSQL as {ConnectionStrings.Describe(builder)}: {Reason(e, connectionString)}.", 1, null);

    private static string Server(PostgresException pg) => pg.SqlState switch
    {
        // The server's text is already clear ("password authentication failed for user ..."); the state adds a hint.
        PostgresErrorCodes.InvalidPassword => pg.MessageText + " (check the password, or PGPASSWORD / ~/.pgpass)",
        PostgresErrorCodes.InvalidAuthorizationSpecification => pg.MessageText + " (see the server's pg_hba.conf)",
        PostgresErrorCodes.TooManyConnections => pg.MessageText + " (the server is full: connect as a superuser to use a reserved slot)",
        _ => pg.MessageText,
    };

    private static T? Find<T>(Exception e)
        where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }
}
