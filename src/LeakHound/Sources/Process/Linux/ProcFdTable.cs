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
        var directoryFd = OpenDirectory(pid, directory);
        Span<byte> name = stackalloc byte[16];
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
                if (fd < 0 || !fd.TryFormat(name[..^1], out var digits, provider: CultureInfo.InvariantCulture))
                {
                    continue;
                }

                name[digits] = 0;
                if (ReadLink(directoryFd, name, target, out var length))
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
        finally
        {
            LibC.Close(directoryFd);
        }

        return count;
    }

    // Links are read relative to an open directory: resolving /proc/PID/fd/N from the root for each of
    // tens of thousands of fds costs a path walk apiece.
    private static int OpenDirectory(int pid, string directory)
    {
        Span<byte> path = stackalloc byte[64];
        var length = Encoding.ASCII.GetBytes(directory, path);
        path[length] = 0;
        int fd;
        fixed (byte* p = path)
        {
            fd = LibC.Open(p, LibC.ORdonly | LibC.OCloexec);
        }

        if (fd >= 0)
        {
            return fd;
        }

        var errno = Marshal.GetLastPInvokeError();
        throw errno == LibC.Eacces || errno == LibC.Eperm
            ? ProcFiles.NotPermitted(pid, directory)
            : new ProcessGoneException(pid);
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
    private static bool ReadLink(int directoryFd, ReadOnlySpan<byte> name, Span<byte> target, out int length)
    {
        fixed (byte* p = name)
        fixed (byte* t = target)
        {
            var n = LibC.ReadLinkAt(directoryFd, p, t, (nuint)target.Length);
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
