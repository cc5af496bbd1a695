using LeakHound.Analysis;
using LeakHound.Samples;
using LeakHound.Sources;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LeakHound.Cli.Views;

/// <summary>The terminal view that redraws in place: TCP states with change and sparkline, top peers, fds against the limit.</summary>
internal sealed class LiveView(WatchHeading heading) : WatchView
{
    private const int TopPeers = 8;
    private LiveDisplayContext? _context;

    public override Task WrapAsync(Func<Task> watch) =>
        AnsiConsole.Live(new Markup($"[grey]starting watch of {Terminal.Safe(heading.Subject)}…[/]"))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async context =>
            {
                _context = context;
                await watch().ConfigureAwait(false);
            });

    public override void Show(WatchHistory history, RoundBuilder round)
    {
        if (_context is null)
        {
            return;
        }

        _context.UpdateTarget(Render(history));
        _context.Refresh();
    }

    private IRenderable Render(WatchHistory history)
    {
        var title = $"[bold]LeakHound[/] watching {Terminal.Safe(heading.Subject)}" +
                    (history.Pid is { } pid && !heading.Subject.Contains($"PID {pid}", StringComparison.Ordinal) ? $" [grey](PID {pid})[/]" : "") +
                    $" · every {Duration.Format(heading.Interval)} · {history.Rounds} rounds" +
                    (history.Started is { } s && history.Latest is { } l ? $" · {Duration.Format(l - s)}" : "") +
                    (heading.Store is null ? "" : $" · recording to [blue]{Terminal.Safe(heading.Store)}[/]");
        var parts = new List<IRenderable> { new Markup(title) };

        // States never seen in this watch would be a wall of zeros: show those that hold or held sockets.
        var states = history.OfMetric(MetricNames.TcpConnections).Where(t => t.Recent.Any(v => v > 0) || t.Change != 0).OrderByDescending(t => t.Last).ToList();
        if (states.Count > 0)
        {
            parts.Add(StatesTable(states));
        }

        // Peers, and a server's accepted connections grouped by client: whichever hold the most come first.
        var peers = history.OfMetric(MetricNames.TcpPeerConnections).Concat(history.OfMetric(MetricNames.TcpInboundConnections))
            .Where(t => t.Last > 0 || t.Change != 0)
            .OrderByDescending(t => t.Last).ThenByDescending(t => t.Change)
            .Take(TopPeers).ToList();
        if (peers.Count > 0)
        {
            parts.Add(PeersTable(peers));
        }

        var postgres = PostgresPanel.Live(history);
        var dotnet = DotNetPanel.Live(history);
        if ((postgres is null && dotnet is null) || history.Value(SeriesKey.Of(MetricNames.Fds)) is not null)
        {
            parts.Add(Resources(history));
        }

        if (dotnet is not null)
        {
            parts.Add(dotnet);
        }

        if (postgres is not null)
        {
            parts.Add(postgres);
        }

        parts.Add(Verdicts(history));
        var commands = history.Tracks.Where(t => t.Key.Metric.StartsWith(MetricNames.CommandPrefix, StringComparison.Ordinal)).ToList();
        if (commands.Count > 0)
        {
            var table = Widgets.Table("command", "now", "Δ start", "trend");
            foreach (var c in commands.OrderBy(c => c.Key.Metric, StringComparer.Ordinal))
            {
                table.AddRow(Terminal.Safe(c.Key.Metric[MetricNames.CommandPrefix.Length..]), Format.Count(c.Last), Widgets.Change(c.Change), Sparkline.Of(c.Recent));
            }

            parts.Add(table);
        }

        foreach (var e in history.Events.TakeLast(4))
        {
            parts.Add(new Markup($"[grey]{e.Time.UtcDateTime:HH:mm:ss} {e.Kind.ToString().ToLowerInvariant()}: {Terminal.Safe(e.Detail)}[/]"));
        }

        parts.Add(new Markup("[grey]Ctrl+C stops and keeps everything recorded.[/]"));
        return new Rows(parts);
    }

    private Table StatesTable(List<SeriesTrack> states)
    {
        var table = heading.Capacity is null
            ? Widgets.Table("TCP state", "now", "Δ start", "trend")
            : Widgets.Table("TCP state", "now", "Δ start", "of capacity", "trend");
        foreach (var t in states)
        {
            var name = t.Key.Label(MetricNames.StateLabel) ?? "?";
            var colour = name == "close_wait" && t.Last > 0 ? "red" : "default";
            var cells = new List<string> { $"[{colour}]{Terminal.Safe(name)}[/]", Format.Count(t.Last), Widgets.Change(t.Change) };
            if (heading.Capacity is { } capacity)
            {
                cells.Add(Format.Percent(t.Last, capacity));
            }

            cells.Add(Sparkline.Of(t.Recent));
            table.AddRow(cells.ToArray());
        }

        return table;
    }

    private static Table PeersTable(List<SeriesTrack> peers)
    {
        var table = Widgets.Table("peer", "state", "now", "Δ start", "trend");
        foreach (var t in peers)
        {
            table.AddRow(
                Terminal.Safe(t.Key.Metric == MetricNames.TcpInboundConnections ? "from " + VerdictText.Client(t.Key) : t.Key.Label(MetricNames.PeerLabel) ?? "?"),
                Terminal.Safe(t.Key.Label(MetricNames.StateLabel) ?? "?"),
                Format.Count(t.Last),
                Widgets.Change(t.Change),
                Sparkline.Of(t.Recent));
        }

        return table;
    }

    /// <summary>The current verdict: each leaking state (naming its peer), fd count or command, with time to capacity.</summary>
    private Markup Verdicts(WatchHistory history)
    {
        var verdicts = history.Verdicts(heading.Capacity);
        var leaking = verdicts.Where(v => v.IsLeaking && !MetricNames.IsTcpBreakdown(v.Key.Metric)).OrderByDescending(v => v.SlopePerHour).Take(4).ToList();
        if (leaking.Count > 0)
        {
            return new Markup(string.Join("\n", leaking.Select(v => $"[red]{Terminal.Safe(v.Summary)}[/]")));
        }

        return verdicts.Count > 0 && verdicts.All(v => v.Kind == LeakHound.Analysis.VerdictKind.NotEnoughData)
            ? new Markup("[grey]verdict: not enough data yet[/]")
            : new Markup("[green]verdict: no leak so far[/]");
    }

    private static Markup Resources(WatchHistory history)
    {
        var fds = history.Value(SeriesKey.Of(MetricNames.Fds));
        var limit = history.Value(SeriesKey.Of(MetricNames.FdLimit));
        var text = new List<string>();
        if (fds is { } f)
        {
            var bar = limit is { } lim && lim > 0 ? " " + Widgets.Bar(f / lim) : "";
            text.Add($"fds [bold]{Format.Count(f)}[/] / {(limit is { } l ? Format.Count(l) + $" ({Format.Percent(f, l)})" : "unlimited")}{bar}");
        }

        if (history.Value(SeriesKey.Of(MetricNames.UdpSockets)) is { } udp)
        {
            text.Add($"udp {Format.Count(udp)}");
        }

        if (history.Value(SeriesKey.Of(MetricNames.UnixSockets)) is { } unix)
        {
            text.Add($"unix {Format.Count(unix)}");
        }

        if (history.Value(SeriesKey.Of(MetricNames.RssBytes)) is { } rss)
        {
            text.Add($"rss {Format.Bytes(rss)}");
        }

        if (history.Value(SeriesKey.Of(MetricNames.Threads)) is { } threads)
        {
            text.Add($"threads {Format.Count(threads)}");
        }

        return new Markup(text.Count == 0 ? "[grey]no process sampled yet[/]" : string.Join(" · ", text));
    }
}
