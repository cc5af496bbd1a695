using System.Globalization;

namespace LeakHound.Sources.Process.Linux;

/// <summary>The fields of /proc/PID/status the census uses.</summary>
internal readonly record struct ProcStatus(string Name, char State, long RssBytes, int Threads, int FdTableSize = 0)
{
    /// <summary>An exited process not yet reaped by its parent: it has no fds or sockets left.</summary>
    public bool IsZombie => State is 'Z' or 'X';

    public static ProcStatus Read(int pid)
    {
        var status = Parse(ProcFiles.ReadText(pid, "status"));
        return status.IsZombie ? throw new ProcessGoneException(pid) : status;
    }

    /// <summary>Parses the text of a status file; absent fields are empty or zero (kernel threads have no VmRSS).</summary>
    public static ProcStatus Parse(string text)
    {
        string name = "";
        var state = '?';
        long rss = 0;
        var threads = 0;
        var fdSize = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon];
            var value = line[(colon + 1)..].Trim();
            if (key.SequenceEqual("Name"))
            {
                name = value.ToString();
            }
            else if (key.SequenceEqual("State") && value.Length > 0)
            {
                state = value[0];
            }
            else if (key.SequenceEqual("VmRSS"))
            {
                // "VmRSS:	   12345 kB": the kernel always reports kB.
                var number = value.EndsWith(" kB") ? value[..^3].Trim() : value;
                if (long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
                {
                    rss = kb * 1024;
                }
            }
            else if (key.SequenceEqual("Threads"))
            {
                _ = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out threads);
            }
            else if (key.SequenceEqual("FDSize"))
            {
                // Slots in the fd table: every open fd is below it.
                _ = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out fdSize);
            }
        }

        return new ProcStatus(name, state, rss, threads, fdSize);
    }
}
