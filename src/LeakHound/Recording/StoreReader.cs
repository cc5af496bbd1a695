using LeakHound.Samples;
using Microsoft.Data.Sqlite;

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
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT id, key FROM series";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
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
