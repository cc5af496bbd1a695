using System.Runtime.InteropServices;

namespace LeakHound.Sources.Process.Linux;

// The few libc calls the census needs. Plain P/Invoke: .NET's Socket cannot open AF_NETLINK, and
// File.ResolveLinkTarget allocates per call, which matters with tens of thousands of fds.
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int AfUnix = 1;
    public const int AfInet = 2;
    public const int AfInet6 = 10;
    public const int AfNetlink = 16;
    public const int SockRaw = 3;
    public const int SockCloexec = 0x80000;
    public const int NetlinkSockDiag = 4;
    public const int MsgTrunc = 0x20;
    public const short PollIn = 0x001;
    public const int ScClkTck = 2;
    public const int ORdonly = 0;
    public const int OCloexec = 0x80000;
    public const int ODirectory = 0x10000;

    public const int Eperm = 1;
    public const int Enoent = 2;
    public const int Esrch = 3;
    public const int Eintr = 4;
    public const int Eacces = 13;
    public const int Einval = 22;
    public const int Eprotonosupport = 93;
    public const int Eafnosupport = 97;

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);

    [LibraryImport(Lib, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint ReadLinkAt(int directoryFd, byte* path, byte* buffer, nuint size);

    /// <summary>Raw directory entries (struct linux_dirent64); glibc 2.30 and later.</summary>
    [LibraryImport(Lib, EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(int directoryFd, byte* buffer, nuint count);

    /// <summary>statx: unlike struct stat, struct statx has one layout on every architecture.</summary>
    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true)]
    public static partial int Statx(int directoryFd, byte* path, int flags, uint mask, byte* buffer);

    public const int AtEmptyPath = 0x1000;
    public const uint StatxSize = 0x200;

    /// <summary>Offset of stx_size in struct statx.</summary>
    public const int StatxSizeOffset = 40;

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags);

    [LibraryImport(Lib, EntryPoint = "sysconf", SetLastError = true)]
    public static partial nint SysConf(int name);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    /// <summary>The symbolic name of an errno, for messages users can search for.</summary>
    public static string ErrnoName(int errno) => errno switch
    {
        Eperm => "EPERM",
        Enoent => "ENOENT",
        Esrch => "ESRCH",
        Eintr => "EINTR",
        Eacces => "EACCES",
        Einval => "EINVAL",
        12 => "ENOMEM",
        24 => "EMFILE",
        Eprotonosupport => "EPROTONOSUPPORT",
        Eafnosupport => "EAFNOSUPPORT",
        _ => $"errno {errno}",
    };
}
