using System.Globalization;

namespace CensusBench;

/// <summary>CPU time and resident memory of a process, from /proc/PID/stat and /proc/PID/status.</summary>
internal readonly record struct ProcStat(double CpuSeconds, long RssKb)
{
    private static readonly Lazy<double> TicksPerSecond = new(() =>
        double.TryParse(Command.Run("getconf", "CLK_TCK").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var hz) && hz > 0 ? hz : 100);

    /// <summary>The figures now, or null when the process is gone.</summary>
    public static ProcStat? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The name (field 2) may hold spaces and parentheses: fields after the last ')' start at field 3 (state).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime, stime
            var rss = File.ReadLines($"/proc/{pid}/status")
                .Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
                .FirstOrDefault();
            return new ProcStat(ticks / TicksPerSecond.Value, rss);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
