using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace LeakHound.Sources.Process.Linux;

/// <summary>
/// The open files of a process from /proc/PID/fd: how many, and the inodes of those that are sockets.
/// Built for processes with tens of thousands of fds, where this is most of a census's cost:
/// the directory is read with getdents64 (.NET's enumerator would stat every link's target, a second
/// lookup per fd) and links are read with readlinkat into stack buffers. Splitting the reads across threads
/// gained under 10% (the kernel serialises them), so the census overlaps them with the netlink dump instead.
/// </summary>
internal static unsafe class ProcFdTable
{
    private const int DirentBufferSize = 64 * 1024;

    /// <summary>
    /// Counts the fds of <paramref name="pid"/> and adds its socket inodes to <paramref name="socketInodes"/>.
    /// Fds closed while we read are skipped. Throws <see cref="ProcessGoneException"/> when the process does
    /// not exist and <see cref="LeakHoundException"/> when we may not look.
    /// </summary>
    /// <param name="fdTableSize">FDSize from /proc/PID/status (0 when unknown): every open fd is below it.</param>
    public static int Read(int pid, HashSet<ulong> socketInodes, int fdTableSize = 0)
    {
        var directory = $"/proc/{pid}/fd";
        var directoryFd = OpenDirectory(pid, directory);
        var fds = ArrayPool<int>.Shared.Rent(256);
        try
        {
            // Since Linux 6.2 the directory's size is the number of fds in use. When the table is dense, probing
            // 0, 1, 2… skips listing the directory: a fifth of the cost at 16,000 fds. The size can count a slot
            // that is reserved but not yet open, so the early stop may not come: probe only where misses are few.
            var open = OpenCount(directoryFd);
            if (open > 0 && fdTableSize > 0 && fdTableSize <= open + (open / 4))
            {
                return Probe(pid, directoryFd, open, fdTableSize, socketInodes);
            }

            var count = ListFds(pid, directoryFd, ref fds);
            return ReadLinks(pid, directoryFd, fds.AsSpan(0, count), socketInodes);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(fds);
            LibC.Close(directoryFd);
        }
    }

    // The fd numbers, from raw linux_dirent64 records: u64 ino, s64 off, u16 reclen, u8 type, name.
    private static int ListFds(int pid, int directoryFd, ref int[] fds)
    {
        var buffer = (byte*)NativeMemory.Alloc(DirentBufferSize);
        var count = 0;
        try
        {
            while (true)
            {
                var read = LibC.GetDents64(directoryFd, buffer, DirentBufferSize);
                if (read == 0)
                {
                    return count;
                }

                if (read < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    throw errno is LibC.Eacces or LibC.Eperm
                        ? ProcFiles.NotPermitted(pid, $"/proc/{pid}/fd")
                        : new ProcessGoneException(pid);
                }

                for (nint offset = 0; offset + 19 < read;)
                {
                    var record = buffer + offset;
                    var length = *(ushort*)(record + 16);
                    if (length == 0)
                    {
                        break;
                    }

                    if (TryParseFd(new ReadOnlySpan<byte>(record + 19, (int)Math.Min(length - 19, read - offset - 19)), out var fd))
                    {
                        if (count == fds.Length)
                        {
                            var bigger = ArrayPool<int>.Shared.Rent(fds.Length * 2);
                            fds.AsSpan().CopyTo(bigger);
                            ArrayPool<int>.Shared.Return(fds);
                            fds = bigger;
                        }

                        fds[count++] = fd;
                    }

                    offset += length;
                }
            }
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }

    private static long OpenCount(int directoryFd)
    {
        var statx = stackalloc byte[256];
        byte empty = 0;
        return LibC.Statx(directoryFd, &empty, LibC.AtEmptyPath, LibC.StatxSize, statx) == 0
            ? *(long*)(statx + LibC.StatxSizeOffset)
            : 0;
    }

    // Reads fds 0, 1, 2… below the table size and stops once every open fd was seen. An fd opened or closed
    // meanwhile can make it read to the end of the table, never past it.
    private static int Probe(int pid, int directoryFd, long open, int fdTableSize, HashSet<ulong> socketInodes)
    {
        Span<byte> name = stackalloc byte[16];
        Span<byte> target = stackalloc byte[64];
        var found = 0;
        for (var fd = 0; fd < fdTableSize && found < open; fd++)
        {
            found += ReadOne(pid, directoryFd, fd, name, target, socketInodes);
        }

        return found;
    }

    private static bool TryParseFd(ReadOnlySpan<byte> name, out int fd)
    {
        var end = name.IndexOf((byte)0);
        return int.TryParse(end < 0 ? name : name[..end], NumberStyles.None, CultureInfo.InvariantCulture, out fd);
    }

    private static int ReadLinks(int pid, int directoryFd, ReadOnlySpan<int> fds, HashSet<ulong> socketInodes)
    {
        Span<byte> name = stackalloc byte[16];
        Span<byte> target = stackalloc byte[64];
        var open = 0;
        foreach (var fd in fds)
        {
            open += ReadOne(pid, directoryFd, fd, name, target, socketInodes);
        }

        return open;
    }

    /// <summary>1 when the fd is open (its socket inode, if any, added), 0 when it is not.</summary>
    private static int ReadOne(int pid, int directoryFd, int fd, Span<byte> name, Span<byte> target, HashSet<ulong> socketInodes)
    {
        if (!fd.TryFormat(name[..^1], out var digits, provider: CultureInfo.InvariantCulture))
        {
            return 0;
        }

        name[digits] = 0;
        if (!ReadLink(pid, directoryFd, name, target, out var length))
        {
            return 0;
        }

        if (TryParseSocketInode(target[..length], out var inode))
        {
            socketInodes.Add(inode);
        }

        return 1;
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
            fd = LibC.Open(p, LibC.ORdonly | LibC.OCloexec | LibC.ODirectory);
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
    private static bool ReadLink(int pid, int directoryFd, ReadOnlySpan<byte> name, Span<byte> target, out int length)
    {
        fixed (byte* p = name)
        fixed (byte* t = target)
        {
            var n = LibC.ReadLinkAt(directoryFd, p, t, (nuint)target.Length);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is LibC.Eacces or LibC.Eperm)
                {
                    throw ProcFiles.NotPermitted(pid, $"/proc/{pid}/fd");
                }

                length = 0;
                return false;
            }

            length = (int)n;
            return true;
        }
    }
}
