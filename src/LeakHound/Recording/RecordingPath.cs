using Microsoft.Data.Sqlite;

namespace LeakHound.Recording;

/// <summary>
/// Turns the many ways a path can be unusable into one line the user can act on.
/// Checks that can be made before touching the file are made first, because the errors SQLite and the
/// file system report afterwards ("unable to open database file") do not say which part of the path is wrong.
/// </summary>
internal static class RecordingPath
{
    /// <summary>Fails unless <paramref name="path"/> names a file that could be created or written.</summary>
    public static void EnsureWritable(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException("The output path is empty.");
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw CannotWrite(path, "it is not a valid path");
        }

        if (Directory.Exists(full))
        {
            throw CannotWrite(path, "it is a directory");
        }

        var directory = Path.GetDirectoryName(full);
        if (directory is null)
        {
            throw CannotWrite(path, "it is not a file path");
        }

        if (!Directory.Exists(directory))
        {
            throw CannotWrite(path, NearestMissingReason(directory));
        }
    }

    /// <summary>Fails unless <paramref name="path"/> is an existing file.</summary>
    public static void EnsureReadable(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException("The recording path is empty.");
        }

        if (Directory.Exists(path))
        {
            throw CannotRead(path, "it is a directory");
        }

        if (!File.Exists(path))
        {
            throw CannotRead(path, "no such file");
        }
    }

    public static LeakHoundException CannotWrite(string path, string reason, Exception? inner = null) =>
        new($"Cannot write {path}: {reason}.", 1, inner);

    public static LeakHoundException CannotRead(string path, string reason, Exception? inner = null) =>
        new($"Cannot read {path}: {reason}.", 1, inner);

    /// <summary>A short reason for a SQLite failure; the raw message carries error codes users cannot act on.</summary>
    public static string Reason(SqliteException e) => e.SqliteErrorCode switch
    {
        3 or 23 => "permission denied",
        5 or 6 => "it is locked by another program",
        8 => "it is read-only",
        10 => "an I/O error occurred",
        11 => "the file is corrupt",
        13 => "the disk is full",
        14 => "the file cannot be opened or created (check permissions and that the file system is writable)",
        26 => "it is corrupt or not a SQLite database",
        _ => "SQLite failed (" + FirstSentence(e.Message) + ")",
    };

    /// <summary>A short reason for a file-system failure.</summary>
    public static string Reason(Exception e) => e switch
    {
        SqliteException s => Reason(s),
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "the directory does not exist",
        FileNotFoundException => "the file cannot be created there",
        PathTooLongException => "the path is too long",
        IOException io => FirstSentence(io.Message),
        _ => FirstSentence(e.Message),
    };

    private static string NearestMissingReason(string directory)
    {
        // Name the first component that is missing or is a file, so "a/b/c/x.db" says which one to fix.
        var current = directory;
        var missing = directory;
        while (!string.IsNullOrEmpty(current) && !Directory.Exists(current))
        {
            if (File.Exists(current))
            {
                return $"{current} is a file, not a directory";
            }

            missing = current;
            current = Path.GetDirectoryName(current);
        }

        return $"the directory {missing} does not exist";
    }

    private static string FirstSentence(string message)
    {
        var line = message.Split('\n', 2)[0].Trim().TrimEnd('.');
        return line.StartsWith("SQLite Error ", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0
            ? line[(colon + 1)..].Trim().Trim('\'')
            : line;
    }
}
