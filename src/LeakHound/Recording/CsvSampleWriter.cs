using LeakHound.Samples;

namespace LeakHound.Recording;

// STUB: replaced by the store work.
/// <summary>Writes rounds as long-format CSV (<c>time,series,value</c>), one line per sample, flushed each round.</summary>
public sealed class CsvSampleWriter : ISampleSink
{
    private CsvSampleWriter() { }

    public static CsvSampleWriter OpenForWriting(string path) => throw new NotImplementedException();

    public ValueTask WriteRoundAsync(SampleRound round, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask WriteEventAsync(RecordedEvent recordedEvent, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
