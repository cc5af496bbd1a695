using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LeakHound.Sources.Process.Linux;

namespace LeakHound.Tests.Census;

/// <summary>Builds netlink reply datagrams the way the kernel lays them out (host-endian headers, 4-byte aligned).</summary>
internal sealed class NetlinkBuffer
{
    private readonly List<byte> _bytes = [];

    public NetlinkBuffer Message(ushort type, uint seq, ReadOnlySpan<byte> payload, uint? lengthOverride = null)
    {
        var header = new byte[16];
        MemoryMarshal.Write(header, lengthOverride ?? (uint)(16 + payload.Length));
        MemoryMarshal.Write(header.AsSpan(4), type);
        MemoryMarshal.Write(header.AsSpan(6), (ushort)2);
        MemoryMarshal.Write(header.AsSpan(8), seq);
        _bytes.AddRange(header);
        _bytes.AddRange(payload.ToArray());
        while (_bytes.Count % 4 != 0)
        {
            _bytes.Add(0);
        }

        return this;
    }

    public NetlinkBuffer Inet(uint seq, byte family, byte state, byte[] src, ushort sport, byte[] dst, ushort dport, uint inode, int extra = 0)
    {
        var msg = new byte[SockDiagParser.InetDiagMsgSize + extra];
        msg[0] = family;
        msg[1] = state;
        BinaryPrimitives.WriteUInt16BigEndian(msg.AsSpan(4), sport);
        BinaryPrimitives.WriteUInt16BigEndian(msg.AsSpan(6), dport);
        src.CopyTo(msg, 8);
        dst.CopyTo(msg, 24);
        MemoryMarshal.Write(msg.AsSpan(68), inode);
        return Message(SockDiagParser.SockDiagByFamily, seq, msg);
    }

    public NetlinkBuffer Unix(uint seq, uint inode)
    {
        var msg = new byte[SockDiagParser.UnixDiagMsgSize];
        msg[0] = 1;
        msg[1] = 1;
        msg[2] = 10;
        MemoryMarshal.Write(msg.AsSpan(4), inode);
        return Message(SockDiagParser.SockDiagByFamily, seq, msg);
    }

    public NetlinkBuffer Done(uint seq, int error = 0)
    {
        var payload = new byte[4];
        MemoryMarshal.Write(payload, error);
        return Message(SockDiagParser.NlmsgDone, seq, payload);
    }

    public NetlinkBuffer Error(uint seq, int error)
    {
        var payload = new byte[20];
        MemoryMarshal.Write(payload, error);
        return Message(SockDiagParser.NlmsgError, seq, payload);
    }

    public NetlinkBuffer Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];
}
