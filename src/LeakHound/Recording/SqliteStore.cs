using LeakHound.Samples;
using Microsoft.Data.Sqlite;

namespace LeakHound.Recording;

/// <summary>The embedded store: one SQLite file in WAL mode; one transaction per round.</summary>
/// <remarks>
/// Crash safety comes from the transaction per round: a <c>kill -9</c> loses at most the round being written.
/// <c>synchronous=NORMAL</c> in WAL mode may lose the last rounds on power loss, never on a process crash,
/// and costs no fsync per round. Microsoft.Data.Sqlite has no truly asynchronous I/O, so the async methods
/// complete synchronously; a round is small enough for that not to matter.
/// </remarks>
public sealed class SqliteStore : ISampleSink
{
    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly SqliteConnection _connection;
    private readonly Dictionary<SeriesKey, long> _seriesIds = [];
    private readonly SqliteCommand _insertSample;
    private readonly SqliteParameter _sampleSeries;
    private readonly SqliteParameter _sampleTime;
    private readonly SqliteParameter _sampleValue;
    private readonly SqliteCommand _upsertSeries;
    private readonly SqliteParameter _seriesKey;
    private readonly SqliteParameter _seriesMetric;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteParameter _eventTime;
    private readonly SqliteParameter _eventKind;
    private readonly SqliteParameter _eventPid;
    private readonly SqliteParameter _eventDetail;
    private bool _disposed;

    private SqliteStore(string path, SqliteConnection connection)
    {
        _path = path;
        _connection = connection;

        _insertSample = Command("INSERT INTO samples(series_id, time_ms, value) VALUES ($series, $time, $value)");
        _sampleSeries = _insertSample.Parameters.Add("$series", SqliteType.Integer);
        _sampleTime = _insertSample.Parameters.Add("$time", SqliteType.Integer);
        _sampleValue = _insertSample.Parameters.Add("$value", SqliteType.Real);

        // An upsert rather than insert-then-select: one statement, and correct even if another writer added the key.
        _upsertSeries = Command("INSERT INTO series(key, metric) VALUES ($key, $metric) ON CONFLICT(key) DO UPDATE SET metric = excluded.metric RETURNING id");
        _seriesKey = _upsertSeries.Parameters.Add("$key", SqliteType.Text);
        _seriesMetric = _upsertSeries.Parameters.Add("$metric", SqliteType.Text);

        _insertEvent = Command("INSERT INTO events(time_ms, kind, pid, detail) VALUES ($time, $kind, $pid, $detail)");
        _eventTime = _insertEvent.Parameters.Add("$time", SqliteType.Integer);
        _eventKind = _insertEvent.Parameters.Add("$kind", SqliteType.Text);
        _eventPid = _insertEvent.Parameters.Add("$pid", SqliteType.Integer);
        _eventDetail = _insertEvent.Parameters.Add("$detail", SqliteType.Text);
    }

    /// <summary>Opens (creating if needed) a store for appending. Throws <see cref="LeakHoundException"/> naming the path when it cannot be written.</summary>
    public static SqliteStore OpenForWriting(string path)
    {
        RecordingPath.EnsureWritable(path);
        RefuseForeignFile(path);

        SqliteConnection? connection = null;
        try
        {
            connection = StoreSchema.Open(path, SqliteOpenMode.ReadWriteCreate);

            // Identify the file before anything writes to it: switching to WAL rewrites the header.
            if (StoreSchema.Problem(connection, emptyIsFine: true) is { } problem)
            {
                throw RecordingPath.CannotWrite(path, problem + "; refusing to change it");
            }

            StoreSchema.Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            using (var transaction = connection.BeginTransaction())
            {
                StoreSchema.Execute(connection, StoreSchema.CreateTables, transaction);
                StoreSchema.Execute(connection, $"PRAGMA application_id={StoreSchema.ApplicationId}; PRAGMA user_version={StoreSchema.Version};", transaction);
                transaction.Commit();
            }

            var store = new SqliteStore(path, connection);
            store.LoadSeriesIds();
            return store;
        }
        catch (LeakHoundException)
        {
            connection?.Dispose();
            throw;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            throw RecordingPath.CannotWrite(path, RecordingPath.Reason(e), e);
        }
    }

    public ValueTask WriteRoundAsync(SampleRound round, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var timeMs = round.Time.ToUnixTimeMilliseconds();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // Ids of series first seen in this round join the cache only once the round is committed,
            // so a failed round cannot leave ids in the cache that the database rolled back.
            Dictionary<SeriesKey, long>? added = null;
            try
            {
                using var transaction = _connection.BeginTransaction();
                _insertSample.Transaction = transaction;
                _upsertSeries.Transaction = transaction;
                foreach (var sample in round.Samples)
                {
                    // NaN cannot be stored in a NOT NULL REAL column and infinities have nothing to plot: not a value.
                    if (!double.IsFinite(sample.Value))
                    {
                        continue;
                    }

                    if (!_seriesIds.TryGetValue(sample.Key, out var id) && (added is null || !added.TryGetValue(sample.Key, out id)))
                    {
                        _seriesKey.Value = sample.Key.ToString();
                        _seriesMetric.Value = sample.Key.Metric;
                        id = Convert.ToInt64(_upsertSeries.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                        (added ??= [])[sample.Key] = id;
                    }

                    _sampleSeries.Value = id;
                    _sampleTime.Value = timeMs;
                    _sampleValue.Value = sample.Value;
                    _insertSample.ExecuteNonQuery();
                }

                transaction.Commit();
            }
            catch (SqliteException e)
            {
                throw RecordingPath.CannotWrite(_path, RecordingPath.Reason(e), e);
            }

            if (added is not null)
            {
                foreach (var (key, id) in added)
                {
                    _seriesIds[key] = id;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteEventAsync(RecordedEvent recordedEvent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                // A single statement is its own transaction: no explicit one needed.
                _insertEvent.Transaction = null;
                _eventTime.Value = recordedEvent.Time.ToUnixTimeMilliseconds();
                _eventKind.Value = EventKinds.Name(recordedEvent.Kind);
                _eventPid.Value = recordedEvent.Pid is { } pid ? pid : DBNull.Value;
                _eventDetail.Value = recordedEvent.Detail;
                _insertEvent.ExecuteNonQuery();
            }
            catch (SqliteException e)
            {
                throw RecordingPath.CannotWrite(_path, RecordingPath.Reason(e), e);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            _insertSample.Dispose();
            _upsertSeries.Dispose();
            _insertEvent.Dispose();

            // Closing the last connection checkpoints the WAL into the main file and removes the -wal file.
            _connection.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>An existing file that is not SQLite (a CSV, a log, anything) must never be turned into a store.</summary>
    private static void RefuseForeignFile(string path)
    {
        try
        {
            if (File.Exists(path) && new FileInfo(path).Length > 0 && !StoreSchema.HasSqliteHeader(path))
            {
                throw RecordingPath.CannotWrite(path, "it exists and is not a LeakHound store; refusing to overwrite it");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RecordingPath.CannotWrite(path, RecordingPath.Reason(e), e);
        }
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private void LoadSeriesIds()
    {
        using var command = Command("SELECT id, key FROM series");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            // A key this version cannot parse is left out of the cache; the upsert still finds its id if it recurs.
            if (SeriesKey.TryParse(reader.GetString(1), out var key, out _))
            {
                _seriesIds[key] = reader.GetInt64(0);
            }
        }
    }
}
