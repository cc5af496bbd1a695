namespace LeakHound.Sources;

/// <summary>
/// Something observed on every round (a process, a database, a command). A source knows nothing
/// of stores or views: it adds its samples, and anything notable that happened, to the round being built.
/// </summary>
public interface ISampleSource
{
    /// <summary>Short name for messages, e.g. <c>process 4242</c>.</summary>
    string Name { get; }

    /// <summary>Observes once. Throws only for problems that should end the watch.</summary>
    ValueTask CollectAsync(RoundBuilder round, CancellationToken cancellationToken);
}
