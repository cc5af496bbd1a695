using System.Globalization;
using System.IO.Enumeration;
using System.Runtime.InteropServices;
using System.Text;

namespace LeakHound.Sources.Process.Linux;

/// <summary>
/// The open files of a process from /proc/PID/fd: how many, and the inodes of those that are sockets.
/// Built for processes with tens of thousands of fds: names are parsed as spans and links read with
/// readlink into stack buffers, so an entry costs no allocation.
/// </summary>
internal static unsafe class ProcFdTable
{
    private static readonly EnumerationOptions Options = new()
    {
        // Asking for no attributes keeps the enumerator from calling stat on every entry.
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// Counts the fds of <paramref name="pid"/> and adds its socket inodes to <paramref name="socketInodes"/>.
    /// Fds closed while we read are skipped. Throws <see cref="ProcessGoneException"/> when the process does
    /// not exist and <see cref="LeakHoundException"/> when we may not look.
    /// </summary>
    public static int Read(int pid, HashSet<ulong> socketInodes)
    {
        var directory = $"/proc/{pid}/fd";
        Span<byte> path = stackalloc byte[64];
        var prefix = Encoding.ASCII.GetBytes(directory + "/", path);
        Span<byte> target = stackalloc byte[64];
        var count = 0;
        try
        {
            var entries = new FileSystemEnumerable<int>(
                directory,
                static (ref FileSystemEntry entry) =>
                    int.TryParse(entry.FileName, NumberStyles.None, CultureInfo.InvariantCulture, out var fd) ? fd : -1,
                Options);
            foreach (var fd in entries)
            {
                if (fd < 0 || !fd.TryFormat(path[prefix..^1], out var digits, provider: CultureInfo.InvariantCulture))
                {
                    continue;
                }

                path[prefix + digits] = 0;
                if (ReadLink(path, target, out var length))
                {
                    count++;
                    if (TryParseSocketInode(target[..length], out var inode))
                    {
                        socketInodes.Add(inode);
                    }
                }
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw ProcFiles.NotPermitted(pid, directory, e);
        }
        catch (IOException e) when (!ProcFiles.Exists(pid) || e is DirectoryNotFoundException or FileNotFoundException)
        {
            throw new ProcessGoneException(pid, e);
        }

        return count;
    }

    /// <summary>"socket:[12345]" → 12345.</summary>
    public static bool TryParseSocketInode(ReadOnlySpan<byte> link, out ulong inode)
    {
        inode = 0;
        ReadOnlySpan<byte> prefix = "socket:["u8;
        return link.StartsWith(prefix)
            && link.Length > prefix.Length + 1
            && link[^1] == (byte)']'
            && ulong.TryParse(link[prefix.Length..^1], NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }

    // False when the fd vanished between listing and reading (ENOENT): it is no longer open.
    private static bool ReadLink(ReadOnlySpan<byte> path, Span<byte> target, out int length)
    {
        fixed (byte* p = path)
        fixed (byte* t = target)
        {
            var n = LibC.ReadLink(p, t, (nuint)target.Length);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.Eacces)
                {
                    throw new UnauthorizedAccessException($"readlink: {LibC.ErrnoName(errno)}");
                }

                length = 0;
                return false;
            }

            length = (int)n;
            return true;
        }
    }
}
