namespace LeakHound.Recording;

public enum EventKind
{
    Start,
    Restart,
    Gap,
    End,
    Note,

    /// <summary>An alert fired, resolved or reminded.</summary>
    Alert,

    /// <summary>A notifier delivered a message, or failed to after its retries.</summary>
    Delivery,
}

/// <summary>Something that happened to the recording itself: a watch began, the process restarted, a round was missed.</summary>
public sealed record RecordedEvent(DateTimeOffset Time, EventKind Kind, int? Pid, string Detail);
