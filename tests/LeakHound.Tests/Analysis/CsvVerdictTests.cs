using LeakHound.Analysis;
using LeakHound.Recording;
using LeakHound.Tests.Recording;

namespace LeakHound.Tests.Analysis;

public sealed class CsvVerdictTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_seeds_tracking_log_gets_a_verdict()
    {
        // watch -n 5 'echo $(date "+%s"),$(lsof -p PID | wc -l) >> tracking.log', a connection lost every few minutes.
        var lines = Enumerable.Range(0, 400).Select(i => $"{1487279261 + (i * 5)},{6 + (i / 40)}");
        var path = _temp.Write("tracking.log", string.Join('\n', lines) + "\n");

        var verdict = Assert.Single(LeakAnalyzer.Analyze(RecordingReader.Read(path), new AnalysisOptions { Capacity = 1024 }));

        Assert.Equal(VerdictKind.Leaking, verdict.Kind);
        Assert.Equal("value", verdict.Key.ToString());
        Assert.Equal(15, verdict.Last);
        Assert.NotNull(verdict.TimeToCapacity);
    }

    [Fact]
    public void Unordered_lines_are_put_in_time_order_before_the_verdict()
    {
        var lines = Enumerable.Range(0, 100).Select(i => $"{1487279261 + (i * 5)},{i}").Reverse();
        var path = _temp.Write("reversed.log", string.Join('\n', lines) + "\n");

        var verdict = Assert.Single(LeakAnalyzer.Analyze(RecordingReader.Read(path)));

        Assert.Equal(VerdictKind.Leaking, verdict.Kind);
        Assert.Equal(99, verdict.Last);
    }
}
