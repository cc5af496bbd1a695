using System.Globalization;
using System.Runtime.InteropServices;
using LeakHound.Samples;

namespace LeakHound.Sources.Process.Linux;

/// <summary>
/// Parses lines of /proc/PID/net/tcp, tcp6, udp and udp6:
/// <c>0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 12345 ...</c>.
/// Pure over one line; the header and anything malformed give false, never an exception.
/// </summary>
internal static class ProcNetTcp
{
    // Columns: sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode.
    private const int InodeColumn = 9;

    public static bool TryParseLine(ReadOnlySpan<char> line, out InetSocket socket)
    {
        socket = default;
        var trimmed = line.Trim();
        Span<Range> columns = stackalloc Range[InodeColumn + 2];
        var count = trimmed.Split(columns, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count <= InodeColumn || !trimmed[columns[0]].EndsWith(':'))
        {
            return false;
        }

        if (!TryParseEndpoint(trimmed[columns[1]], out var local)
            || !TryParseEndpoint(trimmed[columns[2]], out var remote)
            || local.Family != remote.Family
            || !byte.TryParse(trimmed[columns[3]], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var state)
            || state is < (byte)TcpState.Established or > (byte)TcpState.NewSynRecv
            || !ulong.TryParse(trimmed[columns[InodeColumn]], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
        {
            return false;
        }

        socket = new InetSocket(inode, (TcpState)state, local, remote);
        return true;
    }

    /// <summary>
    /// <c>0100007F:1F90</c>: the address as 32-bit words printed in host byte order (one word for IPv4,
    /// four for IPv6), the port as a plain number.
    /// </summary>
    private static bool TryParseEndpoint(ReadOnlySpan<char> text, out InetEndpoint endpoint)
    {
        endpoint = default;
        var colon = text.IndexOf(':');
        if (colon is not (8 or 32) || text.Length - colon - 1 != 4
            || !ushort.TryParse(text[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[16];
        raw.Clear();
        for (var word = 0; word < colon / 8; word++)
        {
            if (!uint.TryParse(text.Slice(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            MemoryMarshal.Write(raw[(word * 4)..], value);
        }

        var family = colon == 8 ? (byte)LibC.AfInet : (byte)LibC.AfInet6;
        endpoint = InetEndpoint.FromBytes(family, raw, port);
        return true;
    }
}

/// <summary>Parses lines of /proc/PID/net/unix: <c>Num RefCount Protocol Flags Type St Inode Path</c>.</summary>
internal static class ProcNetUnix
{
    private const int InodeColumn = 6;

    public static bool TryParseLine(ReadOnlySpan<char> line, out ulong inode)
    {
        inode = 0;
        var trimmed = line.Trim();
        Span<Range> columns = stackalloc Range[InodeColumn + 2];
        var count = trimmed.Split(columns, ' ', StringSplitOptions.RemoveEmptyEntries);
        return count > InodeColumn
            && trimmed[columns[0]].EndsWith(':')
            && ulong.TryParse(trimmed[columns[InodeColumn]], NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }
}
