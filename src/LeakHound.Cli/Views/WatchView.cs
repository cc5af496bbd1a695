using LeakHound.Recording;
using LeakHound.Sources;

namespace LeakHound.Cli.Views;

/// <summary>How a watch shows its rounds: a live view on a terminal, plain lines in a pipe, JSON for scripts.</summary>
internal abstract class WatchView
{
    /// <summary>Runs the watch loop inside whatever the view needs around it (the live view's redraw context).</summary>
    public virtual Task WrapAsync(Func<Task> watch) => watch();

    public abstract void Show(WatchHistory history, RoundBuilder round);

    /// <summary>
    /// An event after the last round, already in <paramref name="history"/>: an alert delivery that settled as the watch
    /// ended. By default one line, as rounds' events are shown in a pipe.
    /// </summary>
    public virtual void ShowLate(WatchHistory history, RecordedEvent e) => Console.WriteLine(EventLine(e));

    /// <summary><c># kind: detail</c>, the detail made harmless for a terminal.</summary>
    public static string EventLine(RecordedEvent e) => $"# {e.Kind.ToString().ToLowerInvariant()}: {Terminal.Neutralise(e.Detail)}";

    /// <summary>Chooses the view from the flags and the terminal.</summary>
    public static WatchView Choose(bool json, WatchHeading heading) =>
        json ? new JsonView() : Terminal.IsInteractive ? new LiveView(heading) : new PlainView(heading);
}

/// <summary>What the live view's title says: what is watched, how often, where it is recorded.</summary>
internal sealed record WatchHeading(string Subject, TimeSpan Interval, string? Store, double? Capacity);
