using LeakHound.Samples;

namespace LeakHound.Sources;

/// <summary>
/// Something observed on every round (a process, a database, a command). A source knows nothing
/// of stores or views: it adds its samples to the round being built.
/// </summary>
public interface ISampleSource
{
    /// <summary>Short name for messages, e.g. <c>process 4242</c>.</summary>
    string Name { get; }

    /// <summary>Observes once and appends the samples to <paramref name="samples"/>.</summary>
    ValueTask CollectAsync(ICollection<Sample> samples, CancellationToken cancellationToken);
}
