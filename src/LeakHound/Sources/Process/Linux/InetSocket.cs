using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using LeakHound.Samples;

namespace LeakHound.Sources.Process.Linux;

/// <summary>
/// An IPv4 or IPv6 address and port. The address is kept as its 16 raw network-order bytes so that
/// counting peers costs no allocation; only distinct peers are ever turned into text.
/// </summary>
internal readonly record struct InetEndpoint(byte Family, UInt128 Address, ushort Port)
{
    public static InetEndpoint FromBytes(byte family, ReadOnlySpan<byte> address, ushort port)
    {
        Span<byte> raw = stackalloc byte[16];
        raw.Clear();
        address[..Math.Min(address.Length, family == LibC.AfInet ? 4 : 16)].CopyTo(raw);
        return new InetEndpoint(family, MemoryMarshal.Read<UInt128>(raw), port);
    }

    /// <summary>As ss prints it: <c>127.0.0.1:8080</c>, <c>[::1]:5432</c>, <c>[::ffff:127.0.0.1]:8080</c>.</summary>
    public override string ToString()
    {
        Span<byte> raw = stackalloc byte[16];
        MemoryMarshal.Write(raw, Address);
        var port = Port.ToString(CultureInfo.InvariantCulture);
        return Family == LibC.AfInet
            ? $"{new IPAddress(raw[..4])}:{port}"
            : $"[{new IPAddress(raw)}]:{port}";
    }

    /// <summary>The address alone, as a client label: <c>10.0.0.5</c>, <c>::1</c>, <c>::ffff:127.0.0.1</c>.</summary>
    public string AddressText()
    {
        Span<byte> raw = stackalloc byte[16];
        MemoryMarshal.Write(raw, Address);
        return (Family == LibC.AfInet ? new IPAddress(raw[..4]) : new IPAddress(raw)).ToString();
    }

    /// <summary>Reads a big-endian port as the kernel stores it in inet_diag_sockid.</summary>
    public static ushort PortFromNetwork(ReadOnlySpan<byte> be16) => BinaryPrimitives.ReadUInt16BigEndian(be16);
}

/// <summary>One TCP or UDP socket as the kernel reports it.</summary>
internal readonly record struct InetSocket(ulong Inode, TcpState State, InetEndpoint Local, InetEndpoint Remote);
