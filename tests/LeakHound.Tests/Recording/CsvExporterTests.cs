using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Tests.Recording;

public sealed class CsvExporterTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Wide_rows_have_one_time_each_and_empty_cells_for_missing_values()
    {
        var t = Rounds.T0;
        var data = new RecordedData(
            [
                new RecordedSeries(Rounds.Awkward, [new(t, 1.5), new(t.AddSeconds(10), 2)]),
                new RecordedSeries(Rounds.Fds, [new(t.AddSeconds(5), 100)]),
            ],
            []);
        using var text = new StringWriter();

        var rows = CsvExporter.Export(data, text);

        Assert.Equal(3, rows);
        Assert.Equal(
            "time,\"command.odd{app=\"\"a \\\"\"quoted\\\"\", comma\\\\ {x}\"\"}\",process.fds\n"
            + "2026-11-18T11:06:40.123Z,1.5,\n"
            + "2026-11-18T11:06:45.123Z,,100\n"
            + "2026-11-18T11:06:50.123Z,2,\n",
            text.ToString());
    }

    [Fact]
    public async Task An_export_reads_back_as_the_same_series_and_values()
    {
        var store = _temp.Path("rec.db");
        await using (var sink = SqliteStore.OpenForWriting(store))
        {
            await Rounds.WriteRoundsAsync(sink, 0, 6);
            // A series that appears later and in one round only, so the export has empty cells.
            await sink.WriteRoundAsync(new SampleRound(Rounds.T0.AddMilliseconds(2_500), null, [new(SeriesKey.Of("process.threads"), 1.0 / 3)]), TestContext.Current.CancellationToken);
        }

        var original = RecordingReader.Read(store);
        var csv = _temp.Path("export.csv");
        using (var writer = new StreamWriter(csv))
        {
            Assert.Equal(7, CsvExporter.Export(original, writer));
        }

        var back = RecordingReader.Read(csv);
        Assert.Equal(original.Series.Select(s => s.Key), back.Series.Select(s => s.Key));
        foreach (var series in original.Series)
        {
            Assert.Equal(series.Points, back.Find(series.Key)!.Points);
        }
    }
}
