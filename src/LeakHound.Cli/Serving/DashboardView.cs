using LeakHound.Cli.Views;
using LeakHound.Recording;
using LeakHound.Sources;
using LeakHound.Sources.Process;

namespace LeakHound.Cli.Serving;

/// <summary>
/// The watch view of <c>serve</c>: every round goes to the dashboard's state (and from there to the browsers, /metrics
/// and OTLP); the terminal gets only what fires and resolves, one line each.
/// </summary>
internal sealed class DashboardView(ServeState state, WatchAlerts? alerts, ProcessSource? process) : WatchView
{
    public override void Show(WatchHistory history, RoundBuilder round)
    {
        var firing = alerts?.Evaluator.Firing.Select(f => new FiringAlert(f.Rule.Text, f.Series.ToString(), f.Since)) ?? [];
        state.OnRound(history, round, firing, process?.Current?.Name);
        foreach (var e in round.Events.Where(e => e.Kind is EventKind.Alert or EventKind.End or EventKind.Restart))
        {
            Console.WriteLine(EventLine(e));
        }
    }

    public override void ShowLate(WatchHistory history, RecordedEvent e)
    {
        base.ShowLate(history, e);
        state.OnEvents(history);
    }
}
