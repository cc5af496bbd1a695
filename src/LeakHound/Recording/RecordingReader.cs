using LeakHound.Samples;

namespace LeakHound.Recording;

/// <summary>Reads a recording back, whatever its format: a LeakHound SQLite store or a CSV file.</summary>
public static class RecordingReader
{
    /// <summary>
    /// Reads every series (or those matching <paramref name="metric"/>: a metric name, a metric prefix such as
    /// <c>process.tcp</c>, or a whole series key). Errors name the file and, for CSV, the line.
    /// </summary>
    /// <remarks>
    /// The format is decided by content, not by extension: a file starting with SQLite's header is a store
    /// (opened read-only, so a recording in progress can be read), anything else is CSV in one of the shapes
    /// <see cref="CsvRecordingReader"/> describes. Series come back in key order, points in time order, and
    /// every event regardless of <paramref name="metric"/>.
    /// </remarks>
    public static RecordedData Read(string path, string? metric = null)
    {
        RecordingPath.EnsureReadable(path);
        bool isStore;
        try
        {
            isStore = StoreSchema.HasSqliteHeader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RecordingPath.CannotRead(path, RecordingPath.Reason(e), e);
        }

        return isStore ? StoreReader.Read(path, metric) : CsvRecordingReader.Read(path, metric);
    }

    /// <summary>
    /// Whether <paramref name="key"/> is one the <paramref name="metric"/> filter of <see cref="Read"/> selects,
    /// for views that filter live rounds the same way.
    /// </summary>
    public static bool Matches(SeriesKey key, string? metric) => SeriesFilter.Matches(key, metric);
}
