using LeakHound.Samples;
using LeakHound.Sources.Process.Linux;

namespace LeakHound.Tests.Census;

// Lines as a little-endian kernel prints them (addresses are host-order 32-bit words).
public sealed class ProcNetTcpTests
{
    [Fact]
    public void Parses_an_ipv4_line()
    {
        Assert.True(BitConverter.IsLittleEndian);
        const string Line = "   3: 0100007F:9C40 0302010A:1F90 08 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 20 4 30 10 -1";

        Assert.True(ProcNetTcp.TryParseLine(Line, out var socket));

        Assert.Equal(12345ul, socket.Inode);
        Assert.Equal(TcpState.CloseWait, socket.State);
        Assert.Equal("127.0.0.1:40000", socket.Local.ToString());
        Assert.Equal("10.1.2.3:8080", socket.Remote.ToString());
    }

    [Fact]
    public void Parses_ipv6_and_v4_mapped_lines()
    {
        const string V6 = "   0: 00000000000000000000000001000000:1538 00000000000000000000000001000000:D431 01 00000000:00000000 00:00000000 00000000  1000        0 777 1 0000000000000000 20 4 29 10 -1";
        const string Mapped = "   1: 0000000000000000FFFF00000100007F:D432 0000000000000000FFFF00000100007F:1F90 0A 00000000:00000000 00:00000000 00000000     0        0 778 1";

        Assert.True(ProcNetTcp.TryParseLine(V6, out var v6));
        Assert.True(ProcNetTcp.TryParseLine(Mapped, out var mapped));

        Assert.Equal(TcpState.Established, v6.State);
        Assert.Equal("[::1]:5432", v6.Local.ToString());
        Assert.Equal("[::1]:54321", v6.Remote.ToString());
        Assert.Equal(777ul, v6.Inode);
        Assert.Equal(TcpState.Listen, mapped.State);
        Assert.Equal("[::ffff:127.0.0.1]:8080", mapped.Remote.ToString());
    }

    [Theory]
    [InlineData("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("garbage")]
    [InlineData("   0: 0100007F:1F90 00000000:0000 0A")]
    [InlineData("   0: 0100007X:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 12345")]
    [InlineData("   0: 0100007F:1F9 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 12345")]
    [InlineData("   0: 0100007F:1F90 00000000000000000000000001000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 12345")]
    [InlineData("   0: 0100007F:1F90 00000000:0000 FF 00000000:00000000 00:00000000 00000000 0 0 12345")]
    [InlineData("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 -5")]
    [InlineData("   0 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 12345")]
    public void Refuses_garbage_lines(string line) =>
        Assert.False(ProcNetTcp.TryParseLine(line, out _));

    [Fact]
    public void Parses_unix_lines()
    {
        Assert.True(ProcNetUnix.TryParseLine("0000000000000000: 00000002 00000000 00010000 0001 01 109311 /tmp/dotnet-diagnostic-7670-socket", out var named));
        Assert.True(ProcNetUnix.TryParseLine("0000000000000000: 00000003 00000000 00000000 0001 03 4242", out var anonymous));
        Assert.False(ProcNetUnix.TryParseLine("Num       RefCount Protocol Flags    Type St Inode Path", out _));
        Assert.False(ProcNetUnix.TryParseLine("0000000000000000: 00000003 00000000", out _));

        Assert.Equal(109311ul, named);
        Assert.Equal(4242ul, anonymous);
    }

    [Theory]
    [InlineData("socket:[12345]", 12345ul)]
    [InlineData("socket:[1]", 1ul)]
    public void Reads_socket_inodes_from_fd_links(string link, ulong inode)
    {
        Assert.True(ProcFdTable.TryParseSocketInode(System.Text.Encoding.ASCII.GetBytes(link), out var parsed));
        Assert.Equal(inode, parsed);
    }

    [Theory]
    [InlineData("socket:[]")]
    [InlineData("socket:[12")]
    [InlineData("pipe:[12345]")]
    [InlineData("/dev/null")]
    [InlineData("anon_inode:[eventfd]")]
    public void Other_fd_links_are_not_sockets(string link) =>
        Assert.False(ProcFdTable.TryParseSocketInode(System.Text.Encoding.ASCII.GetBytes(link), out _));
}
