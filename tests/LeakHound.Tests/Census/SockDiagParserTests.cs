using System.Net;
using System.Runtime.InteropServices;
using LeakHound.Samples;
using LeakHound.Sources.Process.Linux;

namespace LeakHound.Tests.Census;

public sealed class SockDiagParserTests
{
    private const uint Seq = 7;
    private static readonly byte[] Loopback4 = [127, 0, 0, 1];
    private static readonly byte[] Peer4 = [10, 1, 2, 3];

    private static byte[] V6(string address) => IPAddress.Parse(address).GetAddressBytes();

    [Fact]
    public void Parses_tcp_sockets_with_ss_style_endpoints()
    {
        var buffer = new NetlinkBuffer()
            .Inet(Seq, 2, (byte)TcpState.CloseWait, Loopback4, 40000, Peer4, 8080, 1001)
            .Inet(Seq, 10, (byte)TcpState.Established, V6("::1"), 40001, V6("::1"), 5432, 1002, extra: 12)
            .Inet(Seq, 10, (byte)TcpState.Established, V6("::ffff:127.0.0.1"), 40002, V6("::ffff:127.0.0.1"), 8080, 1003)
            .ToArray();
        var table = new SocketTable();

        var done = SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, table);

        Assert.False(done);
        Assert.Equal(3, table.Tcp.Count);
        Assert.Equal(TcpState.CloseWait, table.Tcp[1001].State);
        Assert.Equal("10.1.2.3:8080", table.Tcp[1001].Remote.ToString());
        Assert.Equal("127.0.0.1:40000", table.Tcp[1001].Local.ToString());
        Assert.Equal("[::1]:5432", table.Tcp[1002].Remote.ToString());
        Assert.Equal("[::ffff:127.0.0.1]:8080", table.Tcp[1003].Remote.ToString());
    }

    [Fact]
    public void Done_ends_the_dump_and_skips_inode_zero()
    {
        var buffer = new NetlinkBuffer()
            .Inet(Seq, 2, (byte)TcpState.TimeWait, Loopback4, 1, Peer4, 2, 0)
            .Done(Seq)
            .ToArray();
        var table = new SocketTable();

        Assert.True(SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, table));
        Assert.Empty(table.Tcp);
    }

    [Fact]
    public void Messages_of_another_sequence_are_ignored()
    {
        var buffer = new NetlinkBuffer()
            .Inet(Seq + 1, 2, (byte)TcpState.Established, Loopback4, 1, Peer4, 2, 55)
            .Done(Seq + 1)
            .ToArray();
        var table = new SocketTable();

        Assert.False(SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, table));
        Assert.Empty(table.Tcp);
    }

    [Fact]
    public void Filter_keeps_only_wanted_inodes()
    {
        var buffer = new NetlinkBuffer()
            .Inet(Seq, 2, (byte)TcpState.Established, Loopback4, 1, Peer4, 2, 10)
            .Inet(Seq, 2, (byte)TcpState.Established, Loopback4, 3, Peer4, 4, 11)
            .ToArray();
        var table = new SocketTable([11]);

        SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, table);

        Assert.Equal([11ul], table.Tcp.Keys);
    }

    [Fact]
    public void Parses_udp_and_unix_dumps()
    {
        var udp = new NetlinkBuffer().Inet(Seq, 2, 7, Loopback4, 53, new byte[4], 0, 21).Done(Seq).ToArray();
        var unix = new NetlinkBuffer().Unix(Seq, 31).Unix(Seq, 32).Done(Seq).ToArray();
        var table = new SocketTable();

        Assert.True(SockDiagParser.Parse(udp, Seq, SocketKind.Udp, table));
        Assert.True(SockDiagParser.Parse(unix, Seq, SocketKind.Unix, table));

        Assert.Equal([21ul], table.Udp);
        Assert.Equal([31ul, 32ul], table.Unix.Order());
    }

    [Fact]
    public void Nlmsg_error_throws_with_the_errno()
    {
        var buffer = new NetlinkBuffer().Error(Seq, -1).ToArray();

        var error = Assert.Throws<SockDiagException>(() => SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, new SocketTable()));

        Assert.Equal(1, error.Errno);
        Assert.Contains("EPERM", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Done_with_an_error_throws()
    {
        var buffer = new NetlinkBuffer().Done(Seq, -22).ToArray();

        var error = Assert.Throws<SockDiagException>(() => SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, new SocketTable()));

        Assert.Equal(22, error.Errno);
    }

    [Fact]
    public void Truncated_header_throws()
    {
        var good = new NetlinkBuffer().Inet(Seq, 2, 1, Loopback4, 1, Peer4, 2, 9).ToArray();
        var buffer = good.Concat(new byte[10]).ToArray();

        var error = Assert.Throws<SockDiagException>(() => SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, new SocketTable()));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Length_larger_than_the_buffer_throws()
    {
        var buffer = new NetlinkBuffer().Message(SockDiagParser.SockDiagByFamily, Seq, new byte[72], lengthOverride: 4096).ToArray();

        var error = Assert.Throws<SockDiagException>(() => SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, new SocketTable()));

        Assert.Contains("exceeds", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(15u)]
    public void Length_smaller_than_the_header_throws(uint length)
    {
        var buffer = new NetlinkBuffer().Message(SockDiagParser.SockDiagByFamily, Seq, new byte[72], lengthOverride: length).ToArray();

        var error = Assert.Throws<SockDiagException>(() => SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, new SocketTable()));

        Assert.Contains("shorter than its header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inet_message_too_short_for_inet_diag_msg_throws()
    {
        var buffer = new NetlinkBuffer().Message(SockDiagParser.SockDiagByFamily, Seq, new byte[40]).ToArray();

        Assert.Throws<SockDiagException>(() => SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, new SocketTable()));
    }

    [Fact]
    public void Unknown_family_or_state_throws()
    {
        var family = new NetlinkBuffer().Inet(Seq, 99, 1, Loopback4, 1, Peer4, 2, 9).ToArray();
        var state = new NetlinkBuffer().Inet(Seq, 2, 200, Loopback4, 1, Peer4, 2, 9).ToArray();

        Assert.Throws<SockDiagException>(() => SockDiagParser.Parse(family, Seq, SocketKind.Tcp, new SocketTable()));
        Assert.Throws<SockDiagException>(() => SockDiagParser.Parse(state, Seq, SocketKind.Tcp, new SocketTable()));
    }

    [Fact]
    public void Inode_is_read_in_host_order()
    {
        var buffer = new NetlinkBuffer().Inet(Seq, 2, 1, Loopback4, 1, Peer4, 2, 0x01020304).ToArray();
        var table = new SocketTable();

        SockDiagParser.Parse(buffer, Seq, SocketKind.Tcp, table);

        Assert.Equal(0x01020304ul, Assert.Single(table.Tcp.Keys));
        Assert.Equal(0x01020304u, MemoryMarshal.Read<uint>(buffer.AsSpan(16 + 68)));
    }
}
