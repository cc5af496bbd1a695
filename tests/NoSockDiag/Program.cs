using System.Runtime.InteropServices;

// NoSockDiag PROGRAM [ARGS...]: installs a seccomp filter under which socket(AF_NETLINK, *, NETLINK_SOCK_DIAG) fails with
// EPERM (as Docker's default profile answers a refused call), then execs PROGRAM. Every other call, including other
// netlink families, is allowed. The filter survives the exec, so PROGRAM and its children meet a real kernel refusal.
// Exit 2: usage; 3: no seccomp filter can be installed here.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: NoSockDiag PROGRAM [ARGS...]");
    return 2;
}

if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("NoSockDiag: seccomp is Linux only");
    return 2;
}

(uint auditArch, uint socketCall)? arch = RuntimeInformation.ProcessArchitecture switch
{
    Architecture.X64 => (0xC000003Eu, 41u),
    Architecture.Arm64 => (0xC00000B7u, 198u),
    _ => null,
};
if (arch is not { } a)
{
    Console.Error.WriteLine($"NoSockDiag: no seccomp filter for {RuntimeInformation.ProcessArchitecture}");
    return 2;
}

if (!Seccomp.RefuseSockDiag(a.auditArch, a.socketCall, out var error))
{
    // 3: this kernel or sandbox does not let us filter (tests skip on it, saying why).
    Console.Error.WriteLine("NoSockDiag: " + error);
    return 3;
}

Console.Error.WriteLine("NoSockDiag: " + Seccomp.Exec(args));
return 127;

internal static unsafe partial class Seccomp
{
    private const int PrSetNoNewPrivs = 38;
    private const int PrSetSeccomp = 22;
    private const int SeccompModeFilter = 2;
    private const uint RetAllow = 0x7fff0000;
    private const uint RetErrno = 0x00050000;
    private const uint Eperm = 1;
    private const uint AfNetlink = 16;
    private const uint NetlinkSockDiag = 4;

    // struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little-endian: low words first).
    private const uint NrOffset = 0;
    private const uint ArchOffset = 4;
    private const uint Arg0Offset = 16;
    private const uint Arg2Offset = 32;

    private const ushort LdWAbs = 0x20;
    private const ushort JeqK = 0x15;
    private const ushort RetK = 0x06;

    [StructLayout(LayoutKind.Sequential)]
    private struct SockFilter
    {
        public ushort Code;
        public byte JumpTrue;
        public byte JumpFalse;
        public uint K;

        public SockFilter(ushort code, uint k, byte jumpTrue = 0, byte jumpFalse = 0) =>
            (Code, K, JumpTrue, JumpFalse) = (code, k, jumpTrue, jumpFalse);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }

    public static bool RefuseSockDiag(uint auditArch, uint socketCall, out string error)
    {
        // Each "not equal" jumps to the last instruction, ALLOW; all four equal falls through to ERRNO.
        SockFilter[] program =
        [
            new(LdWAbs, ArchOffset),
            new(JeqK, auditArch, 0, 7),
            new(LdWAbs, NrOffset),
            new(JeqK, socketCall, 0, 5),
            new(LdWAbs, Arg0Offset),
            new(JeqK, AfNetlink, 0, 3),
            new(LdWAbs, Arg2Offset),
            new(JeqK, NetlinkSockDiag, 0, 1),
            new(RetK, RetErrno | Eperm),
            new(RetK, RetAllow),
        ];

        if (Prctl(PrSetNoNewPrivs, 1, 0, 0, 0) != 0)
        {
            error = "prctl(PR_SET_NO_NEW_PRIVS) failed: errno " + Marshal.GetLastPInvokeError();
            return false;
        }

        fixed (SockFilter* filter = program)
        {
            var prog = new SockFprog { Length = (ushort)program.Length, Filter = filter };
            if (Prctl(PrSetSeccomp, SeccompModeFilter, (nint)(&prog), 0, 0) != 0)
            {
                error = "prctl(PR_SET_SECCOMP) failed: errno " + Marshal.GetLastPInvokeError();
                return false;
            }
        }

        error = "";
        return true;
    }

    /// <summary>execvp on this thread (the one the filter was installed on); returns only on failure.</summary>
    public static string Exec(string[] argv)
    {
        var pointers = new nint[argv.Length + 1];
        for (var i = 0; i < argv.Length; i++)
        {
            pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
        }

        fixed (nint* p = pointers)
        {
            Execvp(pointers[0], p);
        }

        return $"cannot run {argv[0]}: errno {Marshal.GetLastPInvokeError()}";
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    [LibraryImport("libc", EntryPoint = "execvp", SetLastError = true)]
    private static partial int Execvp(nint file, nint* argv);
}
