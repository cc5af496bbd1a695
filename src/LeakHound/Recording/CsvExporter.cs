using System.Text;

namespace LeakHound.Recording;

/// <summary>Writes a recording as wide CSV: a <c>time</c> column then one column per series.</summary>
/// <remarks>
/// One row per distinct millisecond (ISO 8601, UTC), an empty cell where a series has no value then; if a
/// series has two values in the same millisecond the last one is kept. Events are left out: the file is a
/// plain table for spreadsheets and plotting tools, and <see cref="RecordingReader"/> reads it back.
/// </remarks>
public static class CsvExporter
{
    /// <returns>The number of rows written.</returns>
    public static int Export(RecordedData data, TextWriter writer)
    {
        var columns = data.Series.Count;
        var rows = new SortedDictionary<long, double[]>();
        for (var c = 0; c < columns; c++)
        {
            foreach (var point in data.Series[c].Points)
            {
                var ms = point.Time.ToUnixTimeMilliseconds();
                if (!rows.TryGetValue(ms, out var values))
                {
                    rows[ms] = values = new double[columns];
                    Array.Fill(values, double.NaN);
                }

                values[c] = point.Value;
            }
        }

        var line = new StringBuilder("time");
        foreach (var series in data.Series)
        {
            line.Append(',').AppendCell(series.Key.ToString());
        }

        writer.Write(line.Append('\n'));
        foreach (var (ms, values) in rows)
        {
            line.Clear().Append(CsvFormat.Time(DateTimeOffset.FromUnixTimeMilliseconds(ms)));
            foreach (var value in values)
            {
                line.Append(',');
                if (double.IsFinite(value))
                {
                    line.Append(CsvFormat.Number(value));
                }
            }

            writer.Write(line.Append('\n'));
        }

        writer.Flush();
        return rows.Count;
    }
}
