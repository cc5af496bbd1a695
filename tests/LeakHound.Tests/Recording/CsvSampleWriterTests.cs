using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Tests.Recording;

public sealed class CsvSampleWriterTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Rounds_and_events_round_trip_through_the_reader()
    {
        var path = _temp.Path("rec.csv");
        var start = new RecordedEvent(Rounds.T0, EventKind.Start, 4242, "watching \"java\", every 5s");
        var restart = new RecordedEvent(Rounds.T0.AddSeconds(6), EventKind.Restart, 4343, "line one\nline two\\ with a # and, a comma ");
        var gap = new RecordedEvent(Rounds.T0.AddSeconds(11), EventKind.Gap, null, "");
        await using (var writer = CsvSampleWriter.OpenForWriting(path))
        {
            await writer.WriteEventAsync(start, Ct);
            await Rounds.WriteRoundsAsync(writer, 0, 2);
            await writer.WriteEventAsync(restart, Ct);
            await Rounds.WriteRoundsAsync(writer, 2, 2);
            await writer.WriteEventAsync(gap, Ct);
        }

        var data = RecordingReader.Read(path);
        Rounds.AssertHoldsRounds(data, 0, 4);
        Assert.Equal([start, restart, gap], data.Events);
    }

    [Fact]
    public async Task Lines_are_long_format_with_iso_times_and_quoted_keys()
    {
        var path = _temp.Path("rec.csv");
        await using (var writer = CsvSampleWriter.OpenForWriting(path))
        {
            await writer.WriteRoundAsync(new SampleRound(Rounds.T0, 1, [new(Rounds.Tcp, 3), new(Rounds.Awkward, 0.1)]), Ct);
            await writer.WriteEventAsync(new RecordedEvent(Rounds.T0, EventKind.End, null, "done"), Ct);
        }

        Assert.Equal(
            [
                "time,series,value",
                "2026-11-18T11:06:40.123Z,\"process.tcp.connections{state=\"\"close_wait\"\"}\",3",
                "2026-11-18T11:06:40.123Z,\"command.odd{app=\"\"a \\\"\"quoted\\\"\", comma\\\\ {x}\"\"}\",0.1",
                "# event 2026-11-18T11:06:40.123Z end pid=- done",
            ],
            File.ReadAllLines(path));
    }

    [Fact]
    public async Task Each_round_is_on_disk_before_the_next_begins()
    {
        var path = _temp.Path("rec.csv");
        await using var writer = CsvSampleWriter.OpenForWriting(path);
        await Rounds.WriteRoundsAsync(writer, 0, 1);

        Rounds.AssertHoldsRounds(RecordingReader.Read(path), 0, 1);
    }

    [Fact]
    public async Task Appending_keeps_earlier_rows_and_writes_no_second_header()
    {
        var path = _temp.Path("rec.csv");
        await using (var writer = CsvSampleWriter.OpenForWriting(path))
        {
            await Rounds.WriteRoundsAsync(writer, 0, 2);
        }

        await using (var writer = CsvSampleWriter.OpenForWriting(path))
        {
            await Rounds.WriteRoundsAsync(writer, 2, 1);
        }

        Assert.Single(File.ReadAllLines(path), l => l.StartsWith("time", StringComparison.Ordinal));
        Rounds.AssertHoldsRounds(RecordingReader.Read(path), 0, 3);
    }

    [Fact]
    public async Task Appending_after_a_torn_last_line_starts_on_a_new_line()
    {
        var path = _temp.Write("rec.csv", "time,series,value\n2026-11-18T11:06:40.123Z,process.fds,1");
        await using (var writer = CsvSampleWriter.OpenForWriting(path))
        {
            await writer.WriteRoundAsync(new SampleRound(Rounds.T0.AddSeconds(1), null, [new(Rounds.Fds, 2)]), Ct);
        }

        Assert.Equal([1.0, 2.0], RecordingReader.Read(path).Find(Rounds.Fds)!.Points.Select(p => p.Value));
    }

    [Theory]
    [InlineData("1487279261,6\n1487279266,6\n")]
    [InlineData("time,process.fds\n1487279261,6\n")]
    public void A_file_that_is_not_a_long_recording_is_refused_and_left_unchanged(string content)
    {
        var path = _temp.Write("tracking.log", content);

        var e = Assert.Throws<LeakHoundException>(() => CsvSampleWriter.OpenForWriting(path));

        Assert.StartsWith($"Cannot write {path}: ", e.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Theory]
    [InlineData("missing-dir/rec.csv", "does not exist")]
    [InlineData("a-file/rec.csv", "is a file, not a directory")]
    [InlineData("a-dir", "is a directory")]
    public void An_unusable_path_names_the_path_and_the_reason(string relative, string reason)
    {
        _temp.Write("a-file", "x");
        Directory.CreateDirectory(_temp.Path("a-dir"));
        var path = _temp.Path(relative);

        var e = Assert.Throws<LeakHoundException>(() => CsvSampleWriter.OpenForWriting(path));

        Assert.StartsWith($"Cannot write {path}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        SqliteStoreTests.AssertOneCleanLine(e.Message);
    }

    [Fact]
    public void A_path_the_system_refuses_names_the_path()
    {
        const string path = "/proc/leakhound-test.csv";

        var e = Assert.Throws<LeakHoundException>(() => CsvSampleWriter.OpenForWriting(path));

        Assert.StartsWith($"Cannot write {path}: ", e.Message, StringComparison.Ordinal);
        SqliteStoreTests.AssertOneCleanLine(e.Message);
    }
}
