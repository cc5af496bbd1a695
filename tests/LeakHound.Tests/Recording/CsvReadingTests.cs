using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Tests.Recording;

public sealed class CsvReadingTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static DateTimeOffset Unix(double seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));

    [Fact]
    public void The_seeds_tracking_log_is_one_series_named_value()
    {
        // As written by: watch -n 5 'echo $(date "+%s"),$(sudo lsof -i -a -p 3136|wc -l) >> /tmp/tracking.log'
        var path = _temp.Write("tracking.log", "1487279261,6\n1487279266,6\n\n1487279271,7\n 1493117580.5 , 37 \n");

        var data = RecordingReader.Read(path);

        var series = Assert.Single(data.Series);
        Assert.Equal(SeriesKey.Of("value"), series.Key);
        Assert.Equal([new(Unix(1487279261), 6), new(Unix(1487279266), 6), new(Unix(1487279271), 7), new(Unix(1493117580.5), 37)], series.Points);
        Assert.Empty(data.Events);
    }

    [Fact]
    public void Wide_files_take_unix_and_iso_times_empty_cells_and_any_column_name()
    {
        var path = _temp.Write("wide.csv", """
            Timestamp, process.fds ,"process.tcp.connections{state=""close_wait""}",Open connections
            2017-02-16T20:14:11Z,10,,3
            1487276046,11,2,

            2017-02-16T21:14:01.250+01:00,12,1,4
            """);

        var data = RecordingReader.Read(path);

        Assert.Equal(["Open_connections", "process.fds", "process.tcp.connections{state=\"close_wait\"}"], data.Series.Select(s => s.Key.ToString()));
        var t1 = DateTimeOffset.Parse("2017-02-16T20:14:01.250Z", System.Globalization.CultureInfo.InvariantCulture);
        var t2 = Unix(1487276046);
        var t3 = DateTimeOffset.Parse("2017-02-16T20:14:11Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([new(t1, 12), new(t2, 11), new(t3, 10)], data.Find(Rounds.Fds)!.Points);
        Assert.Equal([new(t1, 1), new(t2, 2)], data.Find(Rounds.Tcp)!.Points);
        Assert.Equal([new(t1, 4), new(t3, 3)], data.Find(SeriesKey.Of("Open_connections"))!.Points);
    }

    [Fact]
    public void Long_files_sort_points_by_time_per_series()
    {
        var path = _temp.Write("long.csv", """
            time,series,value
            2026-11-18T07:06:50.000Z,process.fds,3
            2026-11-18T07:06:40.000Z,process.fds,1
            2026-11-18T07:06:45.000Z,process.threads,9
            2026-11-18T07:06:45.000Z,process.fds,2
            """);

        var data = RecordingReader.Read(path);

        Assert.Equal([1.0, 2.0, 3.0], data.Find(Rounds.Fds)!.Points.Select(p => p.Value));
        Assert.Equal([9.0], data.Find(SeriesKey.Of("process.threads"))!.Points.Select(p => p.Value));
    }

    [Fact]
    public void The_metric_filter_applies_to_csv_too()
    {
        var path = _temp.Write("wide.csv", "time,process.fds,process.tcp.connections,command.x\n1,1,2,3\n");

        Assert.Equal(["process.fds", "process.tcp.connections"], RecordingReader.Read(path, "process").Series.Select(s => s.Key.ToString()));
        Assert.Equal(["command.x"], RecordingReader.Read(path, "command.x").Series.Select(s => s.Key.ToString()));
    }

    [Theory]
    [InlineData("1487279261,6\n\n1487279266,abc\n", 3, "'abc' is not a number")]
    [InlineData("1487279261,6\n1487279266\n", 2, "expected 2 cells (unix_ts,value), found 1")]
    [InlineData("1487279261,6\nyesterday,6\n", 2, "'yesterday' is not a time")]
    [InlineData("1487279261,\n", 1, "the value is empty")]
    [InlineData("1487279261,NaN\n", 1, "'NaN' is not a number")]
    [InlineData("1e300,1\n", 1, "out of range")]
    [InlineData("time,series,value\n2026-11-18T07:06:40Z,process fds,1\n", 2, "'process fds' is not a series key")]
    [InlineData("time,series,value\n2026-11-18T07:06:40Z,process.fds\n", 2, "expected 3 cells")]
    [InlineData("time,a,b\n1,2,3\n4,5\n", 3, "expected 3 cells as in the header, found 2")]
    [InlineData("time,a,a\n1,2,3\n", 1, "names series a a second time")]
    [InlineData("time,a\n1,\"2\n", 2, "a quoted cell is never closed")]
    [InlineData("time,a\n1,\"2\"x\n", 2, "unexpected text after a closing quote")]
    [InlineData("date,a\n1,2\n", 1, "expected a header whose first column is time")]
    [InlineData("time,series,value\n# event yesterday start pid=1\n", 2, "'yesterday' is not an event time")]
    public void A_malformed_line_is_reported_with_file_and_line(string content, int line, string what)
    {
        var path = _temp.Write("tracking.log", content);

        var e = Assert.Throws<LeakHoundException>(() => RecordingReader.Read(path));

        Assert.StartsWith($"{path}:{line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_binary_file_gives_a_short_one_line_error()
    {
        var path = _temp.Path("image.png");
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        bytes[0] = (byte)'x'; // not a digit, so not mistaken for a headerless time
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<LeakHoundException>(() => RecordingReader.Read(path));

        Assert.StartsWith($"{path}:1: ", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < path.Length + 200, e.Message);
        Assert.DoesNotContain(e.Message, char.IsControl);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \n")]
    public void An_empty_file_is_a_clear_error(string content)
    {
        var path = _temp.Write("empty.csv", content);

        var e = Assert.Throws<LeakHoundException>(() => RecordingReader.Read(path));

        Assert.Equal($"Cannot read {path}: the file is empty.", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var path = _temp.Path("nope.db");

        var e = Assert.Throws<LeakHoundException>(() => RecordingReader.Read(path));

        Assert.Equal($"Cannot read {path}: no such file.", e.Message);
    }

    [Fact]
    public void Ordinary_comments_are_ignored_and_quoted_cells_may_span_lines()
    {
        var path = _temp.Write("c.csv", "# exported by hand\ntime,\"m{a=\"\"x\ny\"\"}\"\n1,2\n# another\n2,3\n");

        var data = RecordingReader.Read(path);

        var series = Assert.Single(data.Series);
        Assert.Equal(SeriesKey.Of("m", ("a", "x\ny")), series.Key);
        Assert.Equal([2.0, 3.0], series.Points.Select(p => p.Value));
        Assert.Empty(data.Events);
    }
}
