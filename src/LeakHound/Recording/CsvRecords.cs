using System.Text;

namespace LeakHound.Recording;

/// <summary>One logical CSV line: its cells, or the text of a comment line (after the <c>#</c>).</summary>
internal readonly record struct CsvRecord(int Line, IReadOnlyList<string> Cells, string? Comment);

/// <summary>
/// An RFC 4180 reader that keeps line numbers for error messages. Beyond the RFC it tolerates what hand-made
/// files contain: blank lines, whitespace around cells, and <c>#</c> comment lines (which carry LeakHound's events).
/// A quoted cell may span lines; the record keeps the number of the line it starts on.
/// </summary>
internal sealed class CsvRecords(TextReader reader, string path)
{
    private int _line;

    /// <summary>The next record, or null at the end of the file.</summary>
    public CsvRecord? Next()
    {
        while (reader.ReadLine() is { } text)
        {
            _line++;
            var trimmed = text.AsSpan().TrimStart();
            if (trimmed.IsEmpty)
            {
                continue;
            }

            if (trimmed[0] == '#')
            {
                return new CsvRecord(_line, [], trimmed[1..].ToString());
            }

            var start = _line;
            return new CsvRecord(start, ParseCells(text), null);
        }

        return null;
    }

    public LeakHoundException Error(int line, string what) => new($"{path}:{line}: {what}.");

    private List<string> ParseCells(string text)
    {
        var start = _line;
        var cells = new List<string>();
        var cell = new StringBuilder();
        var i = 0;
        while (true)
        {
            while (i < text.Length && text[i] is ' ' or '\t')
            {
                i++;
            }

            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i == text.Length)
                    {
                        // The quoted cell goes on: RFC 4180 allows line breaks inside quotes.
                        text = reader.ReadLine() ?? throw Error(start, "a quoted cell is never closed");
                        _line++;
                        cell.Append('\n');
                        i = 0;
                        continue;
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            cell.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    cell.Append(text[i++]);
                }

                while (i < text.Length && text[i] is ' ' or '\t')
                {
                    i++;
                }

                if (i < text.Length && text[i] != ',')
                {
                    throw Error(_line, $"unexpected text after a closing quote in cell {cells.Count + 1}");
                }
            }
            else
            {
                var comma = text.IndexOf(',', i);
                var end = comma < 0 ? text.Length : comma;
                cell.Append(text.AsSpan(i, end - i).TrimEnd());
                i = end;
            }

            cells.Add(cell.ToString());
            cell.Clear();
            if (i >= text.Length)
            {
                return cells;
            }

            i++; // past the comma; a comma at the very end means one more, empty, cell
        }
    }
}
