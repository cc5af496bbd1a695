using System.Globalization;

namespace CensusBench;

/// <summary>
/// lsof as the seeds run it: <c>lsof -i -a -p PID | wc -l</c> through bash (the PID is a positional argument,
/// not shell text), or, with <paramref name="numeric"/>, <c>lsof -n -P -i -a -p PID</c> counted here
/// (no name lookups: the fairest lsof). Both count the header line away; -i includes UDP (the holder has none).
/// </summary>
internal sealed class LsofProbe(bool numeric) : IProbe
{
    public string Name => numeric ? "`lsof -n -P -i -a -p PID`" : "`lsof -i -a -p PID \\| wc -l` (seed)";

    public int CountTcp(int pid)
    {
        var pidText = pid.ToString(CultureInfo.InvariantCulture);
        if (numeric)
        {
            var lines = Command.Run("lsof", "-n", "-P", "-i", "-a", "-p", pidText).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            return Math.Max(0, lines - 1);
        }

        var count = Command.Run("bash", "-c", "lsof -i -a -p \"$1\" | wc -l", "lsof-count", pidText).Trim();
        return Math.Max(0, int.Parse(count, CultureInfo.InvariantCulture) - 1);
    }
}
