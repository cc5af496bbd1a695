using System.Globalization;
using System.Text;
using LeakHound.Samples;

namespace LeakHound.Recording;

/// <summary>
/// Reads a recording from CSV in whichever of three shapes it has, decided by its first line:
/// <list type="bullet">
/// <item>no header, <c>unix_ts,value</c> lines: the seeds' <c>tracking.log</c>; one series named <c>value</c>;</item>
/// <item>long, header <c>time,series,value</c>: what <see cref="CsvSampleWriter"/> writes;</item>
/// <item>wide, header <c>time,&lt;column&gt;,...</c>: what <see cref="CsvExporter"/> and spreadsheets write. A column
/// header is a series key when it parses as one, otherwise a metric name made from it by turning every
/// character a metric may not hold into <c>_</c>. Empty cells mean no value.</item>
/// </list>
/// The time column (named time, timestamp, unix_ts or ts) holds Unix seconds, whole or fractional, or ISO 8601
/// (UTC unless it says otherwise).
/// </summary>
internal static class CsvRecordingReader
{
    /// <summary>The key of the single series of a headerless <c>unix_ts,value</c> file.</summary>
    public static readonly SeriesKey HeaderlessKey = SeriesKey.Of("value");

    private static readonly string[] TimeColumnNames = ["time", "timestamp", "unix_ts", "ts"];

    public static RecordedData Read(string path, string? metric)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return Read(new CsvRecords(text, path), path, metric);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RecordingPath.CannotRead(path, RecordingPath.Reason(e), e);
        }
    }

    private static RecordedData Read(CsvRecords records, string path, string? metric)
    {
        var events = new List<RecordedEvent>();
        var series = new Dictionary<SeriesKey, List<TimedValue>>();
        CsvRecord? first = NextData(records, events);
        if (first is not { } head)
        {
            throw RecordingPath.CannotRead(path, events.Count == 0 ? "the file is empty" : "the file holds events but no header and no samples");
        }

        if (LooksLikeTime(head.Cells[0]))
        {
            ReadHeaderless(records, head, series, events);
        }
        else if (!TimeColumnNames.Contains(head.Cells[0], StringComparer.OrdinalIgnoreCase))
        {
            throw records.Error(head.Line, $"expected a header whose first column is time, timestamp, unix_ts or ts, or unix_ts,value lines; found {CsvFormat.Show(head.Cells[0])}");
        }
        else if (head.Cells.Count == 3 && Is(head.Cells[1], "series") && Is(head.Cells[2], "value"))
        {
            ReadLong(records, series, events);
        }
        else
        {
            ReadWide(records, head, series, events);
        }

        var unordered = new List<SeriesKey>();
        var result = series
            .Where(s => SeriesFilter.Matches(s.Key, metric))
            .OrderBy(s => s.Key)
            .Select(s => new RecordedSeries(s.Key, SortedByTime(s.Value, () => unordered.Add(s.Key))))
            .ToList();
        var notes = unordered.Count == 0
            ? []
            : new[] { $"{Path.GetFileName(path)}: the timestamps of {(unordered.Count == 1 ? unordered[0].ToString() : $"{unordered.Count} series")} are not in time order; read them sorted by time." };
        return new RecordedData(result, events.OrderBy(e => e.Time).ToList()) { Notes = notes };
    }

    private static void ReadHeaderless(CsvRecords records, CsvRecord head, Dictionary<SeriesKey, List<TimedValue>> series, List<RecordedEvent> events)
    {
        var points = series[HeaderlessKey] = [];
        for (CsvRecord? record = head; record is { } r; record = NextData(records, events))
        {
            if (r.Cells.Count != 2)
            {
                throw records.Error(r.Line, $"expected 2 cells (unix_ts,value), found {r.Cells.Count}");
            }

            points.Add(new TimedValue(ParseTime(records, r, r.Cells[0]), ParseValue(records, r, r.Cells[1])));
        }
    }

    private static void ReadLong(CsvRecords records, Dictionary<SeriesKey, List<TimedValue>> series, List<RecordedEvent> events)
    {
        // Most rows repeat a key seen before: parse each distinct text once.
        var keys = new Dictionary<string, SeriesKey>(StringComparer.Ordinal);
        while (NextData(records, events) is { } r)
        {
            if (r.Cells.Count != 3)
            {
                throw records.Error(r.Line, $"expected 3 cells (time,series,value), found {r.Cells.Count}");
            }

            var time = ParseTime(records, r, r.Cells[0]);
            if (!keys.TryGetValue(r.Cells[1], out var key))
            {
                if (!SeriesKey.TryParse(r.Cells[1], out key, out var error))
                {
                    throw records.Error(r.Line, $"{CsvFormat.Show(r.Cells[1])} is not a series key: {error}");
                }

                keys[r.Cells[1]] = key;
            }

            var value = ParseValue(records, r, r.Cells[2]);
            if (!series.TryGetValue(key, out var points))
            {
                series[key] = points = [];
            }

            points.Add(new TimedValue(time, value));
        }
    }

    private static void ReadWide(CsvRecords records, CsvRecord head, Dictionary<SeriesKey, List<TimedValue>> series, List<RecordedEvent> events)
    {
        var columns = new List<TimedValue>[head.Cells.Count];
        for (var c = 1; c < head.Cells.Count; c++)
        {
            var key = ColumnKey(head.Cells[c], c);
            if (series.ContainsKey(key))
            {
                throw records.Error(head.Line, $"column {c + 1} ({CsvFormat.Show(head.Cells[c])}) names series {key} a second time");
            }

            series[key] = columns[c] = [];
        }

        while (NextData(records, events) is { } r)
        {
            if (r.Cells.Count != head.Cells.Count)
            {
                throw records.Error(r.Line, $"expected {head.Cells.Count} cells as in the header, found {r.Cells.Count}");
            }

            var time = ParseTime(records, r, r.Cells[0]);
            for (var c = 1; c < r.Cells.Count; c++)
            {
                if (r.Cells[c].Length > 0)
                {
                    columns[c].Add(new TimedValue(time, ParseValue(records, r, r.Cells[c])));
                }
            }
        }
    }

    /// <summary>A column header as a series key: parsed if it is one, otherwise made into a valid metric name.</summary>
    private static SeriesKey ColumnKey(string header, int column)
    {
        if (SeriesKey.TryParse(header, out var key, out _))
        {
            return key;
        }

        var sb = new StringBuilder(header.Length);
        foreach (var ch in header.Trim())
        {
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' or '/' ? ch : '_');
        }

        return SeriesKey.Of(sb.Length > 0 ? sb.ToString() : $"column{column + 1}");
    }

    /// <summary>The next record holding cells; comment lines on the way are collected when they are events.</summary>
    private static CsvRecord? NextData(CsvRecords records, List<RecordedEvent> events)
    {
        while (records.Next() is { } record)
        {
            if (record.Comment is null)
            {
                return record;
            }

            if (CsvFormat.TryParseEvent(record.Comment, out var recordedEvent, out var error))
            {
                events.Add(recordedEvent);
            }
            else if (error is not null)
            {
                throw records.Error(record.Line, error);
            }
        }

        return null;
    }

    /// <summary>A first cell that is a number or a date means there is no header, even if the time is then invalid.</summary>
    private static bool LooksLikeTime(string cell) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || TryParseTime(cell, out _) is null;

    private static DateTimeOffset ParseTime(CsvRecords records, CsvRecord record, string cell) =>
        TryParseTime(cell, out var time) is { } error ? throw records.Error(record.Line, error) : time;

    /// <summary>Null on success, otherwise what is wrong with the cell.</summary>
    private static string? TryParseTime(string cell, out DateTimeOffset time)
    {
        time = default;
        if (cell.Length == 0)
        {
            return "the time is empty";
        }

        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            var ms = Math.Round(seconds * 1000);
            if (!double.IsFinite(ms) || ms < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                return $"{CsvFormat.Show(cell)} is out of range for a time in Unix seconds";
            }

            time = DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
            return null;
        }

        // Only ISO 8601 dates (yyyy-...), not whatever else the culture-neutral parser would guess at.
        return cell.Length >= 10 && char.IsAsciiDigit(cell[0]) && cell[4] == '-'
            && DateTimeOffset.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time)
            ? null
            : $"{CsvFormat.Show(cell)} is not a time (expected Unix seconds or ISO 8601)";
    }

    private static double ParseValue(CsvRecords records, CsvRecord record, string cell)
    {
        if (cell.Length == 0)
        {
            throw records.Error(record.Line, "the value is empty");
        }

        return double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw records.Error(record.Line, $"{CsvFormat.Show(cell)} is not a number");
    }

    private static bool Is(string cell, string name) => string.Equals(cell, name, StringComparison.OrdinalIgnoreCase);

    private static List<TimedValue> SortedByTime(List<TimedValue> points, Action unordered)
    {
        for (var i = 1; i < points.Count; i++)
        {
            if (points[i].Time < points[i - 1].Time)
            {
                unordered();
                // Stable, so equal times keep their file order.
                return [.. points.OrderBy(p => p.Time)];
            }
        }

        return points;
    }
}
