using System.Globalization;
using System.Text;
using LeakHound.Samples;
using LeakHound.Sources;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LeakHound.Cli.Views;

/// <summary>
/// The .NET pools of a watch: HttpClient connections per server and database pools per provider and pool, each
/// pool's used connections against its maximum. Server and pool names are the target's text: always neutralised.
/// </summary>
internal static class DotNetPanel
{
    private const int TopRows = 10;

    /// <summary>The live view's panel, or null when the watch has no .NET series.</summary>
    public static IRenderable? Live(WatchHistory history)
    {
        var http = history.OfMetric(MetricNames.DotNetHttpConnections).Where(t => t.Last != 0 || t.Change != 0 || t.Recent.Any(v => v != 0)).ToList();
        var db = history.OfMetric(MetricNames.DotNetDbConnections).ToList();
        var sql = history.Tracks.Where(t => t.Key.Metric.StartsWith(MetricNames.DotNetSqlClientPrefix, StringComparison.Ordinal)).ToList();
        if (http.Count == 0 && db.Count == 0 && sql.Count == 0 && !history.Tracks.Any(t => t.Key.Metric.StartsWith(MetricNames.DotNetPrefix, StringComparison.Ordinal)))
        {
            return null;
        }

        var table = Table(".NET pool", "state", "now", "Δ start", "of max", "trend");
        foreach (var t in http.OrderByDescending(t => t.Last).ThenBy(t => t.Key).Take(TopRows))
        {
            var server = t.Key.Label(MetricNames.ServerLabel) ?? "?";
            var queue = history.Value(SeriesKey.Of(MetricNames.DotNetHttpQueueSeconds, (MetricNames.ServerLabel, server)));
            var name = "http " + server + (queue is > 0 ? $" (queue p95 {queue.Value * 1000:0.#} ms)" : "");
            table.AddRow(Terminal.Safe(name), Terminal.Safe(t.Key.Label(MetricNames.StateLabel) ?? "?"), Format.Count(t.Last), Change(t.Change), "", Sparkline.Of(t.Recent));
        }

        foreach (var t in db.OrderByDescending(t => t.Last).ThenBy(t => t.Key).Take(TopRows))
        {
            var max = MaxOf(history, t.Key);
            var state = t.Key.Label(MetricNames.StateLabel) ?? "?";
            var share = max is > 0 && state == "used" ? Format.Percent(t.Last, max.Value) : "";
            table.AddRow(Terminal.Safe(PoolName(t.Key)), Terminal.Safe(state), Format.Count(t.Last), Change(t.Change), share, Sparkline.Of(t.Recent));
        }

        foreach (var t in sql.OrderBy(t => t.Key))
        {
            var name = t.Key.Metric[MetricNames.DotNetSqlClientPrefix.Length..];
            var colour = name == "number_of_reclaimed_connections" && t.Last > 0 ? "red" : "default";
            table.AddRow($"[{colour}]sqlclient {Terminal.Safe(name)}[/]", "", Format.Count(t.Last), Change(t.Change), "", Sparkline.Of(t.Recent));
        }

        return table.Rows.Count > 0 ? table : new Markup("[grey].NET pools: no HttpClient or database pool has reported yet[/]");
    }

    /// <summary>
    /// The plain view's fields: <c>http.active[127.0.0.1:8080]=12 http.idle[…]=0 db.used[npgsql orders]=10/90 db.idle[…]=2</c>.
    /// </summary>
    public static void AppendPlain(StringBuilder line, RoundBuilder round)
    {
        var max = round.Samples.Where(s => s.Key.Metric == MetricNames.DotNetDbMaxConnections)
            .ToDictionary(s => (s.Key.Label(MetricNames.ProviderLabel), s.Key.Label(MetricNames.PoolLabel)), s => s.Value);
        foreach (var s in round.Samples)
        {
            switch (s.Key.Metric)
            {
                case MetricNames.DotNetHttpConnections:
                    line.Append(" http.").Append(s.Key.Label(MetricNames.StateLabel)).Append('[').Append(Safe(s.Key.Label(MetricNames.ServerLabel))).Append("]=").Append(Number(s.Value));
                    break;
                case MetricNames.DotNetHttpQueueSeconds:
                    line.Append(" http.queue_p95[").Append(Safe(s.Key.Label(MetricNames.ServerLabel))).Append("]=").Append(Number(Math.Round(s.Value, 4))).Append('s');
                    break;
                case MetricNames.DotNetDbConnections:
                    var state = s.Key.Label(MetricNames.StateLabel);
                    line.Append(" db.").Append(state).Append('[').Append(Safe(PoolName(s.Key))).Append("]=").Append(Number(s.Value));
                    if (state == "used" && max.TryGetValue((s.Key.Label(MetricNames.ProviderLabel), s.Key.Label(MetricNames.PoolLabel)), out var m))
                    {
                        line.Append('/').Append(Number(m));
                    }

                    break;
                case MetricNames.DotNetDbPendingRequests:
                    line.Append(" db.pending[").Append(Safe(PoolName(s.Key))).Append("]=").Append(Number(s.Value));
                    break;
                default:
                    if (s.Key.Metric.StartsWith(MetricNames.DotNetSqlClientPrefix, StringComparison.Ordinal))
                    {
                        line.Append(" sqlclient.").Append(s.Key.Metric[MetricNames.DotNetSqlClientPrefix.Length..]).Append('=').Append(Number(s.Value));
                    }

                    break;
            }
        }
    }

    /// <summary>The pool's maximum: <c>dotnet.db.max_connections</c> of the same provider and pool.</summary>
    private static double? MaxOf(WatchHistory history, SeriesKey key) => history.Value(SeriesKey.Of(
        MetricNames.DotNetDbMaxConnections,
        (MetricNames.ProviderLabel, key.Label(MetricNames.ProviderLabel) ?? ""),
        (MetricNames.PoolLabel, key.Label(MetricNames.PoolLabel) ?? "")));

    private static string PoolName(SeriesKey key) => $"{key.Label(MetricNames.ProviderLabel)} {key.Label(MetricNames.PoolLabel)}";

    private static string Safe(string? text) => Terminal.Neutralise(text ?? "?");

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Change(double change) =>
        change > 0 ? $"[red]{Format.Signed(change)}[/]" : change < 0 ? $"[green]{Format.Signed(change)}[/]" : "[grey]0[/]";

    private static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in columns)
        {
            table.AddColumn(new TableColumn(c) { Alignment = c is "now" or "Δ start" or "of max" ? Justify.Right : Justify.Left });
        }

        return table;
    }
}
