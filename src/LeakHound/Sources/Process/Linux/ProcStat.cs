using System.Globalization;

namespace LeakHound.Sources.Process.Linux;

/// <summary>
/// When a process started, from /proc/PID/stat and /proc/stat. A PID whose start time changed is a new
/// process (a restart, or the PID reused), which is how watchers notice restarts.
/// </summary>
internal static class ProcStat
{
    private static readonly Lazy<DateTimeOffset?> BootTime = new(ReadBootTime);
    private static readonly Lazy<long> ClockTicks = new(ReadClockTicks);

    public static DateTimeOffset? ReadStartTime(int pid) =>
        ProcFiles.TryReadText(pid, "stat") is { } text
        && ParseStartTicks(text) is { } ticks
        && BootTime.Value is { } boot
            ? boot.AddSeconds((double)ticks / ClockTicks.Value)
            : null;

    /// <summary>Field 22 (starttime, clock ticks since boot). The name in field 2 may hold spaces and ')', so fields count from the last ')'.</summary>
    public static ulong? ParseStartTicks(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        // After ") " come fields 3 (state) onward; starttime is field 22, the 20th of them.
        var fields = stat.AsSpan(close + 1).Trim();
        Span<Range> ranges = stackalloc Range[21];
        var count = fields.Split(ranges, ' ', StringSplitOptions.RemoveEmptyEntries);
        return count >= 20 && ulong.TryParse(fields[ranges[19]], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? ticks
            : null;
    }

    private static DateTimeOffset? ReadBootTime()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (line.StartsWith("btime ", StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                {
                    return DateTimeOffset.FromUnixTimeSeconds(seconds);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    private static long ReadClockTicks()
    {
        var ticks = (long)LibC.SysConf(LibC.ScClkTck);
        return ticks > 0 ? ticks : 100;
    }
}
