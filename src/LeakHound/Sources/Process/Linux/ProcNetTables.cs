namespace LeakHound.Sources.Process.Linux;

/// <summary>
/// Fills a <see cref="SocketTable"/> from /proc/PID/net: the fallback when netlink is refused, and
/// the only way to see a process in another network namespace (netlink sees only ours).
/// </summary>
internal static class ProcNetTables
{
    public static void ReadTcp(int pid, SocketTable table)
    {
        ReadInet(pid, "tcp", SocketKind.Tcp, table);
        ReadInet(pid, "tcp6", SocketKind.Tcp, table);
    }

    public static void ReadUdp(int pid, SocketTable table)
    {
        ReadInet(pid, "udp", SocketKind.Udp, table);
        ReadInet(pid, "udp6", SocketKind.Udp, table);
    }

    public static void ReadUnix(int pid, SocketTable table)
    {
        foreach (var line in Lines(pid, "unix"))
        {
            if (ProcNetUnix.TryParseLine(line, out var inode))
            {
                table.AddUnix(inode);
            }
            else if (!line.StartsWith("Num", StringComparison.Ordinal))
            {
                table.Skipped(line);
            }
        }
    }

    private static void ReadInet(int pid, string file, SocketKind kind, SocketTable table)
    {
        foreach (var line in Lines(pid, file))
        {
            if (ProcNetTcp.TryParseLine(line, out var socket))
            {
                table.Add(kind, socket);
            }
            else if (!line.TrimStart().StartsWith("sl", StringComparison.Ordinal))
            {
                table.Skipped(line);
            }
        }
    }

    private static IEnumerable<string> Lines(int pid, string file)
    {
        using var reader = Open(pid, $"/proc/{pid}/net/{file}");
        while (reader?.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }

    private static StreamReader? Open(int pid, string path)
    {
        try
        {
            return new StreamReader(path);
        }
        catch (FileNotFoundException) when (ProcFiles.Exists(pid))
        {
            // A kernel without IPv6 has no tcp6; that is no socket, not an error.
            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ProcessGoneException(pid);
        }
        catch (UnauthorizedAccessException e)
        {
            throw ProcFiles.NotPermitted(pid, path, e);
        }
    }
}
