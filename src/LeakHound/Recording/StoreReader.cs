using LeakHound.Samples;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace LeakHound.Recording;

/// <summary>Reads a LeakHound SQLite store read-only, so a store being recorded can be read at the same time (WAL).</summary>
internal static class StoreReader
{
    public static RecordedData Read(string path, string? metric)
    {
        try
        {
            using var connection = StoreSchema.Open(path, SqliteOpenMode.ReadOnly);
            if (StoreSchema.Problem(connection, emptyIsFine: false) is { } problem)
            {
                throw RecordingPath.CannotRead(path, problem);
            }

            // One read transaction: series, samples and events come from the same snapshot while a writer appends.
            using var transaction = connection.BeginTransaction(deferred: true);
            var series = ReadSeries(connection, transaction, path, metric);
            var events = ReadEvents(connection, transaction);
            transaction.Commit();
            return new RecordedData(series, events);
        }
        catch (SqliteException e)
        {
            throw RecordingPath.CannotRead(path, RecordingPath.Reason(e), e);
        }
    }

    private static List<RecordedSeries> ReadSeries(SqliteConnection connection, SqliteTransaction transaction, string path, string? metric)
    {
        var wanted = new List<(long Id, SeriesKey Key)>();
        var totalSeries = 0;
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT id, key FROM series";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                totalSeries++;
                var text = reader.GetString(1);
                if (!SeriesKey.TryParse(text, out var key, out var error))
                {
                    throw RecordingPath.CannotRead(path, $"the store holds a malformed series key '{text}' ({error})");
                }

                if (SeriesFilter.Matches(key, metric))
                {
                    wanted.Add((reader.GetInt64(0), key));
                }
            }
        }

        wanted.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        return totalSeries > 0 && wanted.Count * 2 >= totalSeries
            ? ReadByScan(connection, wanted)
            : ReadByIndex(connection, transaction, wanted);
    }

    /// <summary>
    /// Most series wanted: one pass over the table in the order rounds were written (time order), handing each row to
    /// its series. Four times cheaper than a lookup per row through the index, and stepped through SQLite's own API
    /// because ADO.NET's per-row cost would be most of the time at six million rows.
    /// </summary>
    private static List<RecordedSeries> ReadByScan(SqliteConnection connection, List<(long Id, SeriesKey Key)> wanted)
    {
        var lists = new Dictionary<long, List<TimedValue>>(wanted.Count);
        foreach (var (id, _) in wanted)
        {
            lists[id] = [];
        }

        var rc = raw.sqlite3_prepare_v2(connection.Handle, "SELECT series_id, time_ms, value FROM samples", out var statement);
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(connection.Handle).utf8_to_string(), rc);
        }

        using (statement)
        {
            List<TimedValue>? current = null;
            long currentId = long.MinValue;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                var id = raw.sqlite3_column_int64(statement, 0);
                if (id != currentId)
                {
                    currentId = id;
                    current = lists.GetValueOrDefault(id);
                }

                current?.Add(new TimedValue(DateTimeOffset.FromUnixTimeMilliseconds(raw.sqlite3_column_int64(statement, 1)), raw.sqlite3_column_double(statement, 2)));
            }

            if (rc != raw.SQLITE_DONE)
            {
                throw new SqliteException(raw.sqlite3_errmsg(connection.Handle).utf8_to_string(), rc);
            }
        }

        var result = new List<RecordedSeries>(wanted.Count);
        foreach (var (id, key) in wanted)
        {
            var values = lists[id];
            if (!IsSorted(values))
            {
                // Rows are in write order; an imported or merged store may not be in time order.
                values.Sort(static (a, b) => a.Time.CompareTo(b.Time));
            }

            result.Add(new RecordedSeries(key, values));
        }

        return result;
    }

    private static bool IsSorted(List<TimedValue> values)
    {
        for (var i = 1; i < values.Count; i++)
        {
            if (values[i].Time < values[i - 1].Time)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A few series of many: read each through the (series, time) index.</summary>
    private static List<RecordedSeries> ReadByIndex(SqliteConnection connection, SqliteTransaction transaction, List<(long Id, SeriesKey Key)> wanted)
    {
        var result = new List<RecordedSeries>(wanted.Count);
        using var points = connection.CreateCommand();
        points.Transaction = transaction;
        points.CommandText = "SELECT time_ms, value FROM samples WHERE series_id = $id ORDER BY time_ms";
        var id = points.Parameters.Add("$id", SqliteType.Integer);
        foreach (var (seriesId, key) in wanted)
        {
            id.Value = seriesId;
            var values = new List<TimedValue>();
            using (var reader = points.ExecuteReader())
            {
                while (reader.Read())
                {
                    values.Add(new TimedValue(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetDouble(1)));
                }
            }

            result.Add(new RecordedSeries(key, values));
        }

        return result;
    }

    private static List<RecordedEvent> ReadEvents(SqliteConnection connection, SqliteTransaction transaction)
    {
        var events = new List<RecordedEvent>();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT time_ms, kind, pid, detail FROM events ORDER BY time_ms, rowid";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(new RecordedEvent(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.IsDBNull(0) ? 0 : reader.GetInt64(0)),
                EventKinds.Parse(reader.IsDBNull(1) ? null : reader.GetString(1)),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.IsDBNull(3) ? "" : reader.GetString(3)));
        }

        return events;
    }
}
