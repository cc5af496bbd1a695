using LeakHound.Recording;

namespace LeakHound.Reporting;

/// <summary>Writes a report file whole or not at all, and turns every way that can fail into one line naming the path.</summary>
internal static class ReportFile
{
    public static void Write(string path, Action<Stream> write)
    {
        RecordingPath.EnsureWritable(path);

        // Into a temporary file beside the target, then renamed: a failure half-way never leaves half a report
        // where a good one was.
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw RecordingPath.CannotWrite(path, RecordingPath.Reason(e), e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the error that matters is the one being reported.
        }
    }
}
