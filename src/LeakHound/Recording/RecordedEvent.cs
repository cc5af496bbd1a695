namespace LeakHound.Recording;

public enum EventKind
{
    Start,
    Restart,
    Gap,
    End,
    Note,
}

/// <summary>Something that happened to the recording itself: a watch began, the process restarted, a round was missed.</summary>
public sealed record RecordedEvent(DateTimeOffset Time, EventKind Kind, int? Pid, string Detail);
