using System.Diagnostics;
using LeakHound.Recording;
using LeakHound.Samples;
using Microsoft.Data.Sqlite;

namespace PlotBench;

/// <summary>A store holding a week of 1-second samples for ten series, as `watch --interval 1s` would leave it.</summary>
internal static class WeekStore
{
    public static readonly SeriesKey[] Keys =
    [
        SeriesKey.Of(MetricNames.TcpConnections, (MetricNames.StateLabel, "close_wait")),
        SeriesKey.Of(MetricNames.TcpConnections, (MetricNames.StateLabel, "established")),
        SeriesKey.Of(MetricNames.TcpConnections, (MetricNames.StateLabel, "listen")),
        SeriesKey.Of(MetricNames.TcpConnections, (MetricNames.StateLabel, "time_wait")),
        SeriesKey.Of(MetricNames.TcpPeerConnections, (MetricNames.PeerLabel, "10.0.0.5:8080"), (MetricNames.StateLabel, "close_wait")),
        SeriesKey.Of(MetricNames.TcpPeerConnections, (MetricNames.PeerLabel, "10.0.0.7:5432"), (MetricNames.StateLabel, "established")),
        SeriesKey.Of(MetricNames.Fds),
        SeriesKey.Of(MetricNames.FdLimit),
        SeriesKey.Of(MetricNames.RssBytes),
        SeriesKey.Of(MetricNames.Threads),
    ];

    /// <summary>Writes the store; the first round through <see cref="SqliteStore"/> (schema and series ids), the rest in one bulk transaction.</summary>
    public static async Task<TimeSpan> WriteAsync(string path, int days)
    {
        var clock = Stopwatch.StartNew();
        var t0 = DateTimeOffset.FromUnixTimeSeconds(1_795_000_000);
        var rounds = days * 24 * 3600;
        var random = new Random(7);
        await using (var store = SqliteStore.OpenForWriting(path))
        {
            await store.WriteRoundAsync(new SampleRound(t0, 4242, [.. Keys.Select((k, i) => new Sample(k, Value(i, 0, random)))]), CancellationToken.None);
            await store.WriteEventAsync(new RecordedEvent(t0, EventKind.Start, 4242, "watching bench"), CancellationToken.None);
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        var ids = new Dictionary<string, long>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT id, key FROM series";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                ids[reader.GetString(1)] = reader.GetInt64(0);
            }
        }

        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO samples(series_id, time_ms, value) VALUES ($s, $t, $v)";
        var s = insert.Parameters.Add("$s", SqliteType.Integer);
        var t = insert.Parameters.Add("$t", SqliteType.Integer);
        var v = insert.Parameters.Add("$v", SqliteType.Real);
        insert.Prepare();
        var seriesIds = Keys.Select(k => ids[k.ToString()]).ToArray();
        for (var round = 1; round < rounds; round++)
        {
            t.Value = t0.AddSeconds(round).ToUnixTimeMilliseconds();
            for (var i = 0; i < Keys.Length; i++)
            {
                s.Value = seriesIds[i];
                v.Value = Value(i, round, random);
                insert.ExecuteNonQuery();
            }
        }

        using (var restart = connection.CreateCommand())
        {
            // A restart mid-week, so the report has a marker to draw.
            restart.Transaction = transaction;
            restart.CommandText = $"INSERT INTO events(time_ms, kind, pid, detail) VALUES ({t0.AddSeconds(rounds / 2).ToUnixTimeMilliseconds()}, 'restart', 4343, 'bench restart')";
            restart.ExecuteNonQuery();
        }

        transaction.Commit();
        return clock.Elapsed;
    }

    /// <summary>A slow CLOSE_WAIT leak with noise and rare spikes, steady others: what a week of a leaky service looks like.</summary>
    private static double Value(int series, int round, Random random) => series switch
    {
        0 or 4 => (round / 600) + random.Next(0, 5) + (random.Next(0, 20_000) == 0 ? 400 : 0),
        1 or 5 => 20 + random.Next(0, 10),
        2 => 1,
        3 => 0,
        6 => 60 + (round / 600) + random.Next(0, 5),
        7 => 20_000,
        8 => 80_000_000 + (round * 10.0) + random.Next(0, 1_000_000),
        _ => 15 + random.Next(0, 3),
    };
}
