using System.Globalization;

namespace LeakHound.Sources.Process.Linux;

/// <summary>/proc/PID/limits: the soft "Max open files", the ceiling a fd leak runs into.</summary>
internal static class ProcLimits
{
    /// <summary>The soft limit, or null when unlimited or unreadable.</summary>
    public static long? ReadOpenFiles(int pid) =>
        ProcFiles.TryReadText(pid, "limits") is { } text ? ParseOpenFiles(text) : null;

    /// <summary>From "Max open files            1024                 524288               files".</summary>
    public static long? ParseOpenFiles(string text)
    {
        const string Key = "Max open files";
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith(Key, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[Key.Length..].TrimStart();
            var end = rest.IndexOf(' ');
            var soft = end < 0 ? rest : rest[..end];
            return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : null;
        }

        return null;
    }
}
