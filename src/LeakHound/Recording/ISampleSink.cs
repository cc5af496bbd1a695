using LeakHound.Samples;

namespace LeakHound.Recording;

/// <summary>Where rounds go: a store, a CSV file, the terminal. A sink knows nothing of where samples came from.</summary>
public interface ISampleSink : IAsyncDisposable
{
    ValueTask WriteRoundAsync(SampleRound round, CancellationToken cancellationToken);

    ValueTask WriteEventAsync(RecordedEvent recordedEvent, CancellationToken cancellationToken);
}
