using System.Security.Cryptography;
using LeakHound.Recording;
using LeakHound.Samples;
using Microsoft.Data.Sqlite;

namespace LeakHound.Tests.Recording;

public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Rounds_and_events_written_are_read_back()
    {
        var path = _temp.Path("rec.db");
        var start = new RecordedEvent(Rounds.T0, EventKind.Start, 4242, "watching pid 4242 \"java\", every 5s");
        var gap = new RecordedEvent(Rounds.T0.AddSeconds(7), EventKind.Gap, null, "");
        await using (var store = SqliteStore.OpenForWriting(path))
        {
            await store.WriteEventAsync(start, Ct);
            await Rounds.WriteRoundsAsync(store, 0, 3);
            await store.WriteEventAsync(gap, Ct);
        }

        var data = RecordingReader.Read(path);
        Rounds.AssertHoldsRounds(data, 0, 3);
        Assert.Equal([start, gap], data.Events);
    }

    [Fact]
    public async Task The_file_is_a_versioned_store_in_wal_mode_with_one_row_per_series()
    {
        var path = _temp.Path("rec.db");
        await using var store = SqliteStore.OpenForWriting(path);
        await Rounds.WriteRoundsAsync(store, 0, 5);

        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal(1L, Scalar(connection, "PRAGMA user_version"));
        Assert.Equal(4L, Scalar(connection, "SELECT count(*) FROM series"));
        Assert.Equal(20L, Scalar(connection, "SELECT count(*) FROM samples"));
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'samples'"));
    }

    [Fact]
    public async Task Appending_to_an_existing_store_keeps_its_data()
    {
        var path = _temp.Path("rec.db");
        await using (var store = SqliteStore.OpenForWriting(path))
        {
            await Rounds.WriteRoundsAsync(store, 0, 2);
        }

        await using (var store = SqliteStore.OpenForWriting(path))
        {
            await Rounds.WriteRoundsAsync(store, 2, 2);
        }

        Rounds.AssertHoldsRounds(RecordingReader.Read(path), 0, 4);
    }

    [Fact]
    public async Task A_store_being_written_can_be_read_at_the_same_time()
    {
        var path = _temp.Path("rec.db");
        await using var store = SqliteStore.OpenForWriting(path);
        await Rounds.WriteRoundsAsync(store, 0, 2);
        Rounds.AssertHoldsRounds(RecordingReader.Read(path), 0, 2);

        await Rounds.WriteRoundsAsync(store, 2, 3);
        Rounds.AssertHoldsRounds(RecordingReader.Read(path), 0, 5);
    }

    [Fact]
    public async Task Every_committed_round_survives_a_crash_of_the_writer()
    {
        // A kill -9 leaves the database and its WAL as they are at this instant; copying them while the writer
        // is still open is that state, without its clean close (which would checkpoint the WAL away).
        var path = _temp.Path("rec.db");
        var crashed = Directory.CreateDirectory(_temp.Path("crashed")).FullName;
        await using var store = SqliteStore.OpenForWriting(path);
        await Rounds.WriteRoundsAsync(store, 0, 25);

        Assert.True(File.Exists(path + "-wal"), "rounds should be in the write-ahead log until a checkpoint");
        File.Copy(path, Path.Combine(crashed, "rec.db"));
        File.Copy(path + "-wal", Path.Combine(crashed, "rec.db-wal"));

        Rounds.AssertHoldsRounds(RecordingReader.Read(Path.Combine(crashed, "rec.db")), 0, 25);
    }

    [Fact]
    public async Task A_round_that_fails_part_way_leaves_nothing_behind()
    {
        var path = _temp.Path("rec.db");
        var fresh = SeriesKey.Of("process.threads");
        await using var store = SqliteStore.OpenForWriting(path);
        await Rounds.WriteRoundsAsync(store, 0, 1);

        // Another connection makes the second insert of the next round fail, after its first insert succeeded.
        using (var other = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            other.Open();
            using var command = other.CreateCommand();
            command.CommandText = "CREATE TRIGGER refuse BEFORE INSERT ON samples WHEN NEW.value = 666 BEGIN SELECT RAISE(ABORT, 'refused by test'); END;";
            command.ExecuteNonQuery();
        }

        var failing = new SampleRound(Rounds.T0.AddSeconds(5), null, [new(fresh, 1), new(Rounds.Fds, 666)]);
        var e = await Assert.ThrowsAsync<LeakHoundException>(() => store.WriteRoundAsync(failing, Ct).AsTask());
        Assert.StartsWith($"Cannot write {path}: ", e.Message, StringComparison.Ordinal);

        var afterFailure = RecordingReader.Read(path);
        Rounds.AssertHoldsRounds(afterFailure, 0, 1);

        // The series first seen in the rolled-back round must not keep a stale cached id.
        await store.WriteRoundAsync(new SampleRound(Rounds.T0.AddSeconds(10), null, [new(fresh, 2)]), Ct);
        Assert.Equal([new TimedValue(Rounds.T0.AddSeconds(10), 2)], RecordingReader.Read(path).Find(fresh)!.Points);
    }

    [Fact]
    public async Task A_series_first_seen_after_reopening_gets_its_own_id()
    {
        var path = _temp.Path("rec.db");
        var extra = SeriesKey.Of("process.threads");
        await using (var store = SqliteStore.OpenForWriting(path))
        {
            await Rounds.WriteRoundsAsync(store, 0, 1);
        }

        await using (var store = SqliteStore.OpenForWriting(path))
        {
            await store.WriteRoundAsync(new SampleRound(Rounds.T0.AddSeconds(5), null, [new(extra, 7), new(Rounds.Tcp, 9)]), Ct);
        }

        var data = RecordingReader.Read(path);
        Assert.Equal([new TimedValue(Rounds.T0.AddSeconds(5), 7)], data.Find(extra)!.Points);
        Assert.Equal([0.0, 9.0], data.Find(Rounds.Tcp)!.Points.Select(p => p.Value));
    }

    [Fact]
    public async Task Values_that_are_not_numbers_are_skipped_not_fatal()
    {
        var path = _temp.Path("rec.db");
        await using (var store = SqliteStore.OpenForWriting(path))
        {
            await store.WriteRoundAsync(new SampleRound(Rounds.T0, null, [new(Rounds.Fds, double.NaN), new(Rounds.Tcp, 3)]), Ct);
        }

        var data = RecordingReader.Read(path);
        Assert.Equal([Rounds.Tcp], data.Series.Select(s => s.Key));
    }

    [Theory]
    [InlineData("process.tcp", new[] { "process.tcp.connections{state=\"close_wait\"}", "process.tcp.peer.connections{peer=\"10.0.0.5:8080\",state=\"established\"}" })]
    [InlineData("process.fds", new[] { "process.fds" })]
    [InlineData("process.tcp.peer.connections{state=\"established\",peer=\"10.0.0.5:8080\"}", new[] { "process.tcp.peer.connections{peer=\"10.0.0.5:8080\",state=\"established\"}" })]
    [InlineData("process.t", new string[0])]
    [InlineData("command", new[] { "command.odd{app=\"a \\\"quoted\\\", comma\\\\ {x}\"}" })]
    public async Task The_metric_filter_selects_a_metric_a_prefix_or_a_key(string filter, string[] expected)
    {
        var path = _temp.Path("rec.db");
        await using (var store = SqliteStore.OpenForWriting(path))
        {
            await Rounds.WriteRoundsAsync(store, 0, 2);
        }

        var data = RecordingReader.Read(path, filter);
        Assert.Equal(expected, data.Series.Select(s => s.Key.ToString()));
        Assert.All(data.Series, s => Assert.Equal(2, s.Points.Count));
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_refused_and_left_unchanged()
    {
        var path = _temp.Write("tracking.log", "1487279261,6\n1487279266,6\n");
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<LeakHoundException>(() => SqliteStore.OpenForWriting(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a LeakHound store", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_sqlite_database_of_another_program_is_refused_and_left_unchanged()
    {
        var path = _temp.Path("other.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE customers(id INTEGER, name TEXT); INSERT INTO customers VALUES (1, 'x');";
            command.ExecuteNonQuery();
        }

        var before = SHA256.HashData(File.ReadAllBytes(path));

        var e = Assert.Throws<LeakHoundException>(() => SqliteStore.OpenForWriting(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a LeakHound store", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Contains("not a LeakHound store", Assert.Throws<LeakHoundException>(() => RecordingReader.Read(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_store_is_refused_and_left_unchanged()
    {
        var path = _temp.Path("corrupt.db");
        var bytes = new byte[8192];
        "SQLite format 3\0"u8.CopyTo(bytes);
        new Random(7).NextBytes(bytes.AsSpan(16));
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<LeakHoundException>(() => SqliteStore.OpenForWriting(path));

        Assert.StartsWith($"Cannot write {path}: ", e.Message, StringComparison.Ordinal);
        AssertOneCleanLine(e.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.StartsWith($"Cannot read {path}: ", Assert.Throws<LeakHoundException>(() => RecordingReader.Read(path)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing-dir/sub/rec.db", "does not exist")]
    [InlineData("a-file/rec.db", "is a file, not a directory")]
    [InlineData("a-dir", "is a directory")]
    public void An_unusable_path_names_the_path_and_the_reason(string relative, string reason)
    {
        _temp.Write("a-file", "x");
        Directory.CreateDirectory(_temp.Path("a-dir"));
        var path = _temp.Path(relative);

        var e = Assert.Throws<LeakHoundException>(() => SqliteStore.OpenForWriting(path));

        Assert.StartsWith($"Cannot write {path}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        AssertOneCleanLine(e.Message);
        Assert.False(File.Exists(_temp.Path("missing-dir")) || Directory.Exists(_temp.Path("missing-dir")));
    }

    [Theory]
    [InlineData("/proc/forbidden/x.db")]
    [InlineData("/proc/leakhound-test.db")]
    public void A_path_the_system_refuses_names_the_path(string path)
    {
        // /proc refuses new files even to root, which chmod-based tests cannot rely on in containers.
        var e = Assert.Throws<LeakHoundException>(() => SqliteStore.OpenForWriting(path));

        Assert.StartsWith($"Cannot write {path}: ", e.Message, StringComparison.Ordinal);
        AssertOneCleanLine(e.Message);
    }

    internal static void AssertOneCleanLine(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain("SQLite Error", message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
