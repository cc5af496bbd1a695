using LeakHound.Samples;

namespace LeakHound.Recording;

// STUB: replaced by the store work.
/// <summary>The embedded store: one SQLite file in WAL mode; one transaction per round.</summary>
public sealed class SqliteStore : ISampleSink
{
    private SqliteStore() { }

    /// <summary>Opens (creating if needed) a store for appending. Throws <see cref="LeakHoundException"/> naming the path when it cannot be written.</summary>
    public static SqliteStore OpenForWriting(string path) => throw new NotImplementedException();

    public ValueTask WriteRoundAsync(SampleRound round, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask WriteEventAsync(RecordedEvent recordedEvent, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
