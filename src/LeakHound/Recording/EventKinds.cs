namespace LeakHound.Recording;

/// <summary>The text form of <see cref="EventKind"/> in stores and CSV files: the member name in lower case.</summary>
internal static class EventKinds
{
    public static string Name(EventKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Kinds written by a later version read back as <see cref="EventKind.Note"/> rather than failing the read.</summary>
    public static EventKind Parse(string? text) =>
        Enum.TryParse<EventKind>(text, ignoreCase: true, out var kind) && Enum.IsDefined(kind) ? kind : EventKind.Note;
}
