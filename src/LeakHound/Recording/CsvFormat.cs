using System.Globalization;
using System.Text;

namespace LeakHound.Recording;

/// <summary>
/// The text conventions shared by every CSV LeakHound writes and reads: times, numbers, RFC 4180 quoting
/// and the comment line that carries an event.
/// </summary>
/// <remarks>
/// Events are written as comment lines, not rows, so that the table stays exactly <c>time,series,value</c> for
/// every tool that loads it (pandas <c>comment='#'</c>, gnuplot and R skip them; a spreadsheet shows them as
/// stray one-cell rows, the price of keeping events in the same file). The line is
/// <c># event 2026-11-23T05:53:22.123Z restart pid=4242 detail text</c>: kind in lower case, <c>pid=-</c> when
/// there is none, and the detail to the end of the line with <c>\</c>, newline and carriage return escaped as
/// <c>\\</c>, <c>\n</c> and <c>\r</c> so one event is always one line. Any other line starting with <c>#</c> is
/// a comment and is ignored.
/// </remarks>
internal static class CsvFormat
{
    public const string LongHeader = "time,series,value";

    private const string EventPrefix = "event";

    /// <summary>ISO 8601 in UTC with milliseconds, the precision the store keeps.</summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The shortest text that parses back to the same double.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Appends a cell, quoted when RFC 4180 requires it or when the reader would trim its edges.</summary>
    public static StringBuilder AppendCell(this StringBuilder sb, string cell)
    {
        var needsQuotes = cell.Length > 0
            && (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 || char.IsWhiteSpace(cell[0]) || char.IsWhiteSpace(cell[^1]) || cell[0] == '#');
        return needsQuotes ? sb.Append('"').Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"') : sb.Append(cell);
    }

    /// <summary>
    /// A cell quoted for an error message: cut short and with control characters replaced, so that a binary
    /// file or a runaway line still gives one short line.
    /// </summary>
    public static string Show(string cell)
    {
        const int Max = 40;
        var shown = new StringBuilder("'");
        foreach (var c in cell.Length > Max ? cell[..Max] : cell)
        {
            shown.Append(char.IsControl(c) ? '?' : c);
        }

        return shown.Append(cell.Length > Max ? "...'" : "'").ToString();
    }

    public static string EventLine(RecordedEvent recordedEvent)
    {
        var sb = new StringBuilder("# ").Append(EventPrefix).Append(' ')
            .Append(Time(recordedEvent.Time)).Append(' ')
            .Append(EventKinds.Name(recordedEvent.Kind)).Append(" pid=")
            .Append(recordedEvent.Pid is { } pid ? pid.ToString(CultureInfo.InvariantCulture) : "-");
        if (recordedEvent.Detail.Length > 0)
        {
            sb.Append(' ');
            foreach (var c in recordedEvent.Detail)
            {
                _ = c switch
                {
                    '\\' => sb.Append(@"\\"),
                    '\n' => sb.Append(@"\n"),
                    '\r' => sb.Append(@"\r"),
                    _ => sb.Append(c),
                };
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Parses a comment line (text after <c>#</c>). False with no error for an ordinary comment;
    /// false with an error for a line that says it is an event but is malformed.
    /// </summary>
    public static bool TryParseEvent(string comment, out RecordedEvent recordedEvent, out string? error)
    {
        recordedEvent = null!;
        error = null;
        var parts = comment.TrimStart().Split(' ', 5, StringSplitOptions.None);
        if (parts[0] != EventPrefix)
        {
            return false;
        }

        if (parts.Length < 4)
        {
            error = "an event line needs a time, a kind and pid=";
            return false;
        }

        if (!DateTimeOffset.TryParse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            error = $"{CsvFormat.Show(parts[1])} is not an event time";
            return false;
        }

        int? pid = null;
        if (!parts[3].StartsWith("pid=", StringComparison.Ordinal))
        {
            error = $"expected pid= in the event line, found {CsvFormat.Show(parts[3])}";
            return false;
        }

        var pidText = parts[3][4..];
        if (pidText != "-")
        {
            if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                error = $"{CsvFormat.Show(pidText)} is not a process id";
                return false;
            }

            pid = parsed;
        }

        recordedEvent = new RecordedEvent(time, EventKinds.Parse(parts[2]), pid, parts.Length > 4 ? Unescape(parts[4]) : "");
        return true;
    }

    private static string Unescape(string detail)
    {
        if (!detail.Contains('\\', StringComparison.Ordinal))
        {
            return detail;
        }

        var sb = new StringBuilder(detail.Length);
        for (var i = 0; i < detail.Length; i++)
        {
            if (detail[i] == '\\' && i + 1 < detail.Length)
            {
                i++;
                sb.Append(detail[i] switch { 'n' => '\n', 'r' => '\r', var other => other });
            }
            else
            {
                sb.Append(detail[i]);
            }
        }

        return sb.ToString();
    }
}
