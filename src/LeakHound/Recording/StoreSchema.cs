using Microsoft.Data.Sqlite;

namespace LeakHound.Recording;

/// <summary>
/// The layout of a LeakHound SQLite store and how to recognise one. The file is marked with
/// <c>PRAGMA application_id</c> so that an unrelated SQLite database is never mistaken for a store and
/// written into, and versioned with <c>PRAGMA user_version</c> so a later layout can migrate older files.
/// </summary>
internal static class StoreSchema
{
    /// <summary>"LkHd": stamped in the file header by the first transaction that creates the tables.</summary>
    public const int ApplicationId = 0x4C6B4864;

    public const int Version = 1;

    public static ReadOnlySpan<byte> SqliteMagic => "SQLite format 3\0"u8;

    // Times are Unix milliseconds: compact, sortable and exact for the precision any source delivers.
    public const string CreateTables = """
        CREATE TABLE IF NOT EXISTS series(
            id INTEGER PRIMARY KEY,
            key TEXT UNIQUE NOT NULL,
            metric TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS samples(
            series_id INTEGER NOT NULL,
            time_ms INTEGER NOT NULL,
            value REAL NOT NULL);
        CREATE INDEX IF NOT EXISTS samples_by_series_time ON samples(series_id, time_ms);
        CREATE TABLE IF NOT EXISTS events(
            time_ms INTEGER,
            kind TEXT,
            pid INTEGER NULL,
            detail TEXT);
        """;

    /// <summary>True when the first bytes of the file are SQLite's header.</summary>
    public static bool HasSqliteHeader(string path)
    {
        Span<byte> header = stackalloc byte[16];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.SequenceEqual(SqliteMagic);
    }

    public static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        // Pooling off: a pooled connection keeps the file open after Dispose, which delays the final WAL
        // checkpoint and keeps the -wal/-shm files around after the recording ends.
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static long Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    /// <summary>Null when the database is a LeakHound store this version can use, otherwise why not.</summary>
    public static string? Problem(SqliteConnection connection, bool emptyIsFine)
    {
        var applicationId = Scalar(connection, "PRAGMA application_id");
        var version = Scalar(connection, "PRAGMA user_version");
        if (applicationId == ApplicationId)
        {
            return version > Version ? $"it was written by a newer LeakHound (store version {version}, this one reads {Version})" : null;
        }

        var objects = Scalar(connection, "SELECT count(*) FROM sqlite_master");
        return objects == 0 && applicationId == 0 && emptyIsFine
            ? null
            : "it is a SQLite database but not a LeakHound store";
    }
}
