using LeakHound.Sources.Process.Linux;

namespace LeakHound.Tests.Census;

public sealed class ProcFileParserTests
{
    [Fact]
    public void Reads_rss_threads_and_state_from_status()
    {
        const string Status = "Name:\tmy service\nUmask:\t0022\nState:\tS (sleeping)\nVmRSS:\t   20480 kB\nThreads:\t17\n";

        var status = ProcStatus.Parse(Status);

        Assert.Equal("my service", status.Name);
        Assert.Equal(20480L * 1024, status.RssBytes);
        Assert.Equal(17, status.Threads);
        Assert.False(status.IsZombie);
        Assert.True(ProcStatus.Parse("Name:\tx\nState:\tZ (zombie)\n").IsZombie);
    }

    [Fact]
    public void Reads_the_soft_open_files_limit()
    {
        const string Limits = "Limit                     Soft Limit           Hard Limit           Units     \n"
            + "Max open files            1024                 524288               files     \n";

        Assert.Equal(1024L, ProcLimits.ParseOpenFiles(Limits));
        Assert.Null(ProcLimits.ParseOpenFiles("Max open files            unlimited            unlimited            files\n"));
        Assert.Null(ProcLimits.ParseOpenFiles("Max processes 10 10 processes\n"));
    }

    [Fact]
    public void Start_ticks_survive_names_with_spaces_and_parentheses()
    {
        var fields = string.Join(' ', Enumerable.Range(3, 50).Select(i => i == 22 ? "987654" : "1"));

        Assert.Equal(987654ul, ProcStat.ParseStartTicks($"42 (a (weird) name) {fields}"));
        Assert.Null(ProcStat.ParseStartTicks("42 (short) S 1 2"));
    }
}
