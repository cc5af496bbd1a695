namespace LeakHound.Recording;

// STUB: replaced by the store work.
/// <summary>Reads a recording back, whatever its format: a LeakHound SQLite store or a CSV file.</summary>
public static class RecordingReader
{
    /// <summary>
    /// Reads every series (or those matching <paramref name="metric"/>: a metric name, a metric prefix such as
    /// <c>process.tcp</c>, or a whole series key). Errors name the file and, for CSV, the line.
    /// </summary>
    public static RecordedData Read(string path, string? metric = null) => throw new NotImplementedException();
}
