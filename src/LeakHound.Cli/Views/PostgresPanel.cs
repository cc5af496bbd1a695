using System.Globalization;
using System.Text;
using LeakHound.Samples;
using LeakHound.Sources;
using LeakHound.Sources.Postgres;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LeakHound.Cli.Views;

/// <summary>
/// The PostgreSQL part of a watch: states against the capacity (max_connections minus reserved slots) and the
/// applications holding most connections. Application names are other people's text: always neutralised.
/// </summary>
internal static class PostgresPanel
{
    private const int TopApplications = 8;

    /// <summary>The live view's panel, or null when the watch has no PostgreSQL series.</summary>
    public static IRenderable? Live(WatchHistory history)
    {
        var max = history.Value(SeriesKey.Of(MetricNames.PgMaxConnections));
        if (max is null)
        {
            return null;
        }

        var reserved = history.Value(SeriesKey.Of(MetricNames.PgReservedConnections)) ?? 0;
        var capacity = max.Value - reserved;
        var states = history.OfMetric(MetricNames.PgConnections).ToList();
        var total = states.Sum(t => t.Last);
        var parts = new List<IRenderable>();

        var stateTable = Widgets.Table("PostgreSQL state", "now", "Δ start", "of capacity", "trend");
        foreach (var t in states.Where(t => t.Recent.Any(v => v > 0) || t.Change != 0).OrderByDescending(t => t.Last))
        {
            var name = t.Key.Label(MetricNames.StateLabel) ?? "?";
            var colour = name.StartsWith("idle_in_transaction", StringComparison.Ordinal) && t.Last > 0 ? "yellow" : "default";
            stateTable.AddRow($"[{colour}]{Terminal.Safe(name)}[/]", Format.Count(t.Last), Widgets.Change(t.Change), Format.Percent(t.Last, capacity), Sparkline.Of(t.Recent));
        }

        if (stateTable.Rows.Count > 0)
        {
            parts.Add(stateTable);
        }

        var apps = history.OfMetric(MetricNames.PgAppConnections)
            .Where(t => t.Last > 0 || t.Change != 0)
            .OrderByDescending(t => t.Last).ThenByDescending(t => t.Change)
            .Take(TopApplications).ToList();
        if (apps.Count > 0)
        {
            var table = Widgets.Table("application", "state", "now", "Δ start", "of capacity", "trend");
            foreach (var t in apps)
            {
                table.AddRow(
                    Terminal.Safe(ApplicationName(t.Key)),
                    Terminal.Safe(t.Key.Label(MetricNames.StateLabel) ?? "?"),
                    Format.Count(t.Last),
                    Widgets.Change(t.Change),
                    Format.Percent(t.Last, capacity),
                    Sparkline.Of(t.Recent));
            }

            parts.Add(table);
        }

        var line = new StringBuilder($"postgres [bold]{Format.Count(total)}[/] / {Format.Count(capacity)} " +
                                     $"(max_connections {Format.Count(max.Value)} − {Format.Count(reserved)} reserved, {Format.Percent(total, capacity)}) {Widgets.Bar(capacity > 0 ? total / capacity : 1)}");
        if (history.Value(SeriesKey.Of(MetricNames.PgOldestIdleSeconds)) is { } idle && idle > 0)
        {
            line.Append(" · oldest idle ").Append(PgSuspects.Age(idle));
        }

        if (history.Value(SeriesKey.Of(MetricNames.PgOldestIdleInTransactionSeconds)) is { } tx && tx > 0)
        {
            line.Append(" · oldest idle in transaction [yellow]").Append(PgSuspects.Age(tx)).Append("[/]");
        }

        var overThreshold = history.OfMetric(MetricNames.PgIdleLongerThanThreshold).Sum(t => t.Last);
        if (overThreshold > 0)
        {
            line.Append(" · idle past threshold [red]").Append(Format.Count(overThreshold)).Append("[/]");
        }

        if (Unreachable(history))
        {
            line.Append(" · [red]unreachable now[/]");
        }

        parts.Add(new Markup(line.ToString()));
        return new Rows(parts);
    }

    /// <summary>The plain view's fields: <c>pg=37/97 pg.active=1 pg.idle=30 … pg.oldest_idle=723s</c>.</summary>
    public static void AppendPlain(StringBuilder line, RoundBuilder round)
    {
        double? max = null, reserved = null, oldestIdle = null, oldestTx = null;
        var states = new List<(string State, double Value)>();
        double overThreshold = 0;
        foreach (var s in round.Samples)
        {
            switch (s.Key.Metric)
            {
                case MetricNames.PgConnections: states.Add((s.Key.Label(MetricNames.StateLabel) ?? "?", s.Value)); break;
                case MetricNames.PgMaxConnections: max = s.Value; break;
                case MetricNames.PgReservedConnections: reserved = s.Value; break;
                case MetricNames.PgOldestIdleSeconds: oldestIdle = s.Value; break;
                case MetricNames.PgOldestIdleInTransactionSeconds: oldestTx = s.Value; break;
                case MetricNames.PgIdleLongerThanThreshold: overThreshold += s.Value; break;
                default: break;
            }
        }

        if (max is null)
        {
            return;
        }

        line.Append(" pg=").Append(Number(states.Sum(s => s.Value))).Append('/').Append(Number(max.Value - (reserved ?? 0)))
            .Append(" max_connections=").Append(Number(max.Value)).Append(" reserved=").Append(Number(reserved ?? 0));
        foreach (var (state, value) in states.Where(s => s.Value != 0))
        {
            line.Append(" pg.").Append(state).Append('=').Append(Number(value));
        }

        line.Append(" pg.oldest_idle=").Append(Number(oldestIdle ?? 0)).Append('s')
            .Append(" pg.oldest_idle_in_transaction=").Append(Number(oldestTx ?? 0)).Append('s')
            .Append(" pg.idle_past_threshold=").Append(Number(overThreshold));
    }

    /// <summary>An empty application_name is common (psql sets one, many drivers do not): say so rather than show a blank.</summary>
    private static string ApplicationName(SeriesKey key) => key.Label(MetricNames.ApplicationLabel) is { Length: > 0 } name ? name : "(none)";

    private static bool Unreachable(WatchHistory history)
    {
        var last = history.Events.LastOrDefault(e => e.Detail.StartsWith("postgres ", StringComparison.Ordinal));
        return last is not null && last.Detail.StartsWith("postgres unreachable", StringComparison.Ordinal);
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
