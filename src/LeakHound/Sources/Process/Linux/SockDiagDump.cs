using System.Buffers;
using System.Runtime.InteropServices;

namespace LeakHound.Sources.Process.Linux;

/// <summary>
/// Dumps the sockets of our network namespace over NETLINK_SOCK_DIAG, as ss does: one request per
/// address family and protocol, the replies parsed by <see cref="SockDiagParser"/>.
/// </summary>
internal sealed unsafe class SockDiagDump : IDisposable
{
    private const int IpProtoTcp = 6;
    private const int IpProtoUdp = 17;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFDump = 0x300;

    // Kernel dump batches fit in 32 KiB; twice that leaves room for a kernel that batches more.
    private const int ReceiveBufferSize = 64 * 1024;

    // A dump answers in microseconds; a silent kernel must not hang a census forever.
    private const int ReceiveTimeoutMs = 5_000;

    // Every state but TIME_WAIT (6) and NEW_SYN_RECV (12): those sockets have no inode, so no process owns one,
    // and a busy host can have tens of thousands of them to send and skip.
    private const uint OwnableStates = uint.MaxValue & ~(1u << 6) & ~(1u << 12);

    private readonly int _fd;
    private uint _seq;

    private SockDiagDump(int fd) => _fd = fd;

    /// <summary>Opens the netlink socket; <see cref="SockDiagException"/> when the kernel refuses.</summary>
    public static SockDiagDump Open()
    {
        var fd = LibC.Socket(LibC.AfNetlink, LibC.SockRaw | LibC.SockCloexec, LibC.NetlinkSockDiag);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new SockDiagException($"netlink sock_diag refused ({LibC.ErrnoName(errno)})", errno);
        }

        return new SockDiagDump(fd);
    }

    /// <summary>Adds every TCP (v4 and v6) socket to the table.</summary>
    public void DumpTcp(SocketTable table)
    {
        DumpInet(LibC.AfInet, IpProtoTcp, SocketKind.Tcp, table);
        DumpInet(LibC.AfInet6, IpProtoTcp, SocketKind.Tcp, table);
    }

    public void DumpUdp(SocketTable table)
    {
        DumpInet(LibC.AfInet, IpProtoUdp, SocketKind.Udp, table);
        DumpInet(LibC.AfInet6, IpProtoUdp, SocketKind.Udp, table);
    }

    public void DumpUnix(SocketTable table)
    {
        // unix_diag_req: family, protocol, pad(2), states, ino, show, cookie[2].
        Span<byte> request = stackalloc byte[SockDiagParser.NlMsgHdrSize + 24];
        request.Clear();
        var body = request[SockDiagParser.NlMsgHdrSize..];
        body[0] = LibC.AfUnix;
        MemoryMarshal.Write(body[4..], uint.MaxValue);
        Exchange(request, SocketKind.Unix, table);
    }

    private void DumpInet(byte family, byte protocol, SocketKind kind, SocketTable table)
    {
        // inet_diag_req_v2: family, protocol, ext, pad, states, inet_diag_sockid (48, zero: match all).
        Span<byte> request = stackalloc byte[SockDiagParser.NlMsgHdrSize + 56];
        request.Clear();
        var body = request[SockDiagParser.NlMsgHdrSize..];
        body[0] = family;
        body[1] = protocol;
        MemoryMarshal.Write(body[4..], OwnableStates);
        Exchange(request, kind, table);
    }

    private void Exchange(Span<byte> request, SocketKind kind, SocketTable table)
    {
        var seq = ++_seq;
        MemoryMarshal.Write(request, (uint)request.Length);
        MemoryMarshal.Write(request[4..], SockDiagParser.SockDiagByFamily);
        MemoryMarshal.Write(request[6..], (ushort)(NlmFRequest | NlmFDump));
        MemoryMarshal.Write(request[8..], seq);
        Send(request);

        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        try
        {
            while (true)
            {
                var received = Receive(buffer);
                if (SockDiagParser.Parse(buffer.AsSpan(0, received), seq, kind, table))
                {
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Send(ReadOnlySpan<byte> request)
    {
        // sockaddr_nl { nl_family, nl_pad, nl_pid = 0 (the kernel), nl_groups = 0 }.
        Span<byte> kernel = stackalloc byte[12];
        kernel.Clear();
        MemoryMarshal.Write(kernel, (ushort)LibC.AfNetlink);
        fixed (byte* data = request)
        fixed (byte* address = kernel)
        {
            nint sent;
            do
            {
                sent = LibC.SendTo(_fd, data, (nuint)request.Length, 0, address, (uint)kernel.Length);
            }
            while (sent < 0 && Marshal.GetLastPInvokeError() == LibC.Eintr);

            if (sent < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new SockDiagException($"netlink sock_diag request refused ({LibC.ErrnoName(errno)})", errno);
            }
        }
    }

    private int Receive(byte[] buffer)
    {
        var poll = new LibC.PollFd { Fd = _fd, Events = LibC.PollIn };
        int ready;
        do
        {
            ready = LibC.Poll(&poll, 1, ReceiveTimeoutMs);
        }
        while (ready < 0 && Marshal.GetLastPInvokeError() == LibC.Eintr);

        if (ready == 0)
        {
            throw new SockDiagException($"netlink sock_diag did not answer within {ReceiveTimeoutMs} ms");
        }

        fixed (byte* data = buffer)
        {
            nint received;
            do
            {
                // MSG_TRUNC makes recv return the datagram's real length, so truncation is detected, not parsed.
                received = LibC.Recv(_fd, data, (nuint)buffer.Length, LibC.MsgTrunc);
            }
            while (received < 0 && Marshal.GetLastPInvokeError() == LibC.Eintr);

            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new SockDiagException($"netlink sock_diag receive failed ({LibC.ErrnoName(errno)})", errno);
            }

            if (received == 0)
            {
                throw new SockDiagException("netlink sock_diag closed without ending the dump");
            }

            if (received > buffer.Length)
            {
                throw new SockDiagException($"netlink reply of {received} bytes does not fit the {buffer.Length}-byte buffer");
            }

            return (int)received;
        }
    }

    public void Dispose() => LibC.Close(_fd);
}
