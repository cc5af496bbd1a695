using System.Runtime.InteropServices;
using LeakHound.Samples;

namespace LeakHound.Sources.Process.Linux;

/// <summary>
/// Parses the replies of a NETLINK_SOCK_DIAG dump. Pure over the received bytes so that crafted and
/// random buffers can be thrown at it: every length is checked against the buffer, and anything
/// malformed is a <see cref="SockDiagException"/>, never a read past the end. Netlink is host-endian.
/// </summary>
internal static class SockDiagParser
{
    public const int NlMsgHdrSize = 16;
    public const ushort NlmsgNoop = 1;
    public const ushort NlmsgError = 2;
    public const ushort NlmsgDone = 3;
    public const ushort SockDiagByFamily = 20;

    // inet_diag_msg: family, state, timer, retrans, inet_diag_sockid (48), expires, rqueue, wqueue, uid, inode.
    public const int InetDiagMsgSize = 72;

    // unix_diag_msg: family, type, state, pad, ino, cookie[2].
    public const int UnixDiagMsgSize = 16;

    /// <summary>
    /// Adds the sockets of one received datagram to <paramref name="table"/>.
    /// Returns true when the datagram ends the dump (NLMSG_DONE).
    /// Messages with another sequence number are not ours and are ignored.
    /// </summary>
    public static bool Parse(ReadOnlySpan<byte> buffer, uint seq, SocketKind kind, SocketTable table)
    {
        var offset = 0;
        while (offset < buffer.Length)
        {
            var rest = buffer[offset..];
            if (rest.Length < NlMsgHdrSize)
            {
                throw new SockDiagException($"netlink reply truncated: {rest.Length} bytes left, a header needs {NlMsgHdrSize}");
            }

            var length = MemoryMarshal.Read<uint>(rest);
            var type = MemoryMarshal.Read<ushort>(rest[4..]);
            var messageSeq = MemoryMarshal.Read<uint>(rest[8..]);
            if (length < NlMsgHdrSize)
            {
                throw new SockDiagException($"netlink message length {length} is shorter than its header");
            }

            if (length > (uint)rest.Length)
            {
                throw new SockDiagException($"netlink message length {length} exceeds the {rest.Length} bytes received");
            }

            var payload = rest[NlMsgHdrSize..(int)length];

            // NLMSG_ALIGN: messages start on 4-byte boundaries; the last one may end the buffer unpadded.
            offset += (int)Math.Min(((length + 3) & ~3u), (uint)rest.Length);

            if (messageSeq != seq)
            {
                continue;
            }

            switch (type)
            {
                case NlmsgDone:
                    // Since Linux 4.x NLMSG_DONE carries the dump's error code; older kernels send nothing.
                    if (payload.Length >= 4 && MemoryMarshal.Read<int>(payload) is var doneError and < 0)
                    {
                        throw new SockDiagException($"netlink dump ended with {LibC.ErrnoName(-doneError)}", -doneError);
                    }

                    return true;

                case NlmsgError:
                    if (payload.Length < 4)
                    {
                        throw new SockDiagException("netlink error message too short to hold an error code");
                    }

                    var error = MemoryMarshal.Read<int>(payload);
                    if (error != 0)
                    {
                        var errno = error < 0 ? -error : error;
                        throw new SockDiagException($"netlink sock_diag refused ({LibC.ErrnoName(errno)})", errno);
                    }

                    // error 0 is an acknowledgement; a dump does not ask for one, but it is harmless.
                    break;

                case SockDiagByFamily:
                    if (kind == SocketKind.Unix)
                    {
                        ParseUnix(payload, table);
                    }
                    else
                    {
                        ParseInet(payload, kind, table);
                    }

                    break;

                default:
                    // NLMSG_NOOP and anything newer kernels may add carry no sockets.
                    break;
            }
        }

        return false;
    }

    private static void ParseInet(ReadOnlySpan<byte> payload, SocketKind kind, SocketTable table)
    {
        if (payload.Length < InetDiagMsgSize)
        {
            throw new SockDiagException($"inet_diag_msg of {payload.Length} bytes, expected at least {InetDiagMsgSize}");
        }

        var family = payload[0];
        if (family is not (LibC.AfInet or LibC.AfInet6))
        {
            throw new SockDiagException($"inet_diag_msg of address family {family}");
        }

        var state = payload[1];
        if (kind == SocketKind.Tcp && state is < (byte)TcpState.Established or > (byte)TcpState.NewSynRecv)
        {
            throw new SockDiagException($"inet_diag_msg with TCP state {state}");
        }

        // inet_diag_sockid starts at 4: sport(be16) dport(be16) src[16] dst[16] if cookie[2].
        var id = payload[4..52];
        var localPort = InetEndpoint.PortFromNetwork(id);
        var remotePort = InetEndpoint.PortFromNetwork(id[2..]);
        var local = InetEndpoint.FromBytes(family, id.Slice(4, 16), localPort);
        var remote = InetEndpoint.FromBytes(family, id.Slice(20, 16), remotePort);
        var inode = MemoryMarshal.Read<uint>(payload[68..]);
        table.Add(kind, new InetSocket(inode, (TcpState)state, local, remote));
    }

    private static void ParseUnix(ReadOnlySpan<byte> payload, SocketTable table)
    {
        if (payload.Length < UnixDiagMsgSize)
        {
            throw new SockDiagException($"unix_diag_msg of {payload.Length} bytes, expected at least {UnixDiagMsgSize}");
        }

        if (payload[0] != LibC.AfUnix)
        {
            throw new SockDiagException($"unix_diag_msg of address family {payload[0]}");
        }

        table.AddUnix(MemoryMarshal.Read<uint>(payload[4..]));
    }
}
