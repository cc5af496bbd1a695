using LeakHound.Sources.Process.Linux;

namespace LeakHound.Tests.Census;

[Collection(CensusCollection.Name)]
public sealed class ProcFdTableTests
{
    [Fact]
    public void Probing_the_fd_table_and_listing_the_directory_find_the_same_sockets()
    {
        using var connections = new LoopbackConnections(v4Clients: 40, v6Clients: 10, mappedClients: 0, closedV4: 3, closedV6: 0);
        var status = ProcStatus.Read(Environment.ProcessId);
        Assert.True(status.FdTableSize > 0);

        var probed = new HashSet<ulong>();
        var listed = new HashSet<ulong>();
        var probedCount = ProcFdTable.Read(Environment.ProcessId, probed, status.FdTableSize);
        var listedCount = ProcFdTable.Read(Environment.ProcessId, listed, fdTableSize: 0);

        Assert.Equal(listedCount, probedCount);
        Assert.Equal(listed.Order(), probed.Order());
        Assert.True(listed.Count >= 100, $"only {listed.Count} socket inodes for 100 loopback sockets");
    }

    [Fact]
    public void A_too_small_table_size_never_reads_past_it()
    {
        var probed = new HashSet<ulong>();
        var count = ProcFdTable.Read(Environment.ProcessId, probed, fdTableSize: 3);

        Assert.InRange(count, 0, 3);
    }
}
