namespace LeakHound.Recording;

// STUB: replaced by the store work.
/// <summary>Writes a recording as wide CSV: a <c>time</c> column then one column per series.</summary>
public static class CsvExporter
{
    /// <returns>The number of rows written.</returns>
    public static int Export(RecordedData data, TextWriter writer) => throw new NotImplementedException();
}
