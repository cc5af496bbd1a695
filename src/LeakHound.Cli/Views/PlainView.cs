using System.Text;
using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.Sources;

namespace LeakHound.Cli.Views;

/// <summary>
/// A line per round for pipes and log files: <c>time pid=… tcp=… established=… close_wait=… fds=…/…</c>; on standard
/// output unless told otherwise (the demo's --json sends them to standard error as progress).
/// </summary>
internal sealed class PlainView(WatchHeading heading, TextWriter? output = null) : WatchView
{
    private readonly TextWriter _out = output ?? Console.Out;

    public override void ShowLate(WatchHistory history, RecordedEvent e) => _out.WriteLine(EventLine(e));

    public override void Show(WatchHistory history, RoundBuilder round)
    {
        if (history.Rounds == 1)
        {
            _out.WriteLine($"# watching {Terminal.Neutralise(heading.Subject)} every {Duration.Format(heading.Interval)}" +
                              (heading.Store is null ? "" : $", recording to {heading.Store}"));
        }

        foreach (var e in round.Events)
        {
            _out.WriteLine(EventLine(e));
        }

        var line = new StringBuilder(Format.Time(round.Time));
        if (round.Pid is { } pid)
        {
            line.Append(" pid=").Append(pid);
        }

        var tcp = round.Samples.Where(s => s.Key.Metric == MetricNames.TcpConnections).ToList();
        // The census reports every state each round; a watch of .NET pools alone has no census to report.
        if (tcp.Count > 0)
        {
            line.Append(" tcp=").Append(tcp.Sum(s => s.Value));
            // Zero states are left out to keep the line readable, except CLOSE_WAIT, the one people grep for.
            foreach (var s in tcp.Where(s => s.Value != 0 || s.Key.Label(MetricNames.StateLabel) == "close_wait"))
            {
                line.Append(' ').Append(s.Key.Label(MetricNames.StateLabel)).Append('=').Append(s.Value);
            }
        }

        double? fds = null, limit = null;
        foreach (var s in round.Samples)
        {
            switch (s.Key.Metric)
            {
                case MetricNames.Fds: fds = s.Value; break;
                case MetricNames.FdLimit: limit = s.Value; break;
                case MetricNames.UdpSockets: line.Append(" udp=").Append(s.Value); break;
                case MetricNames.UnixSockets: line.Append(" unix=").Append(s.Value); break;
                case MetricNames.RssBytes: line.Append(" rss=").Append(Format.Bytes(s.Value).Replace(" ", "", StringComparison.Ordinal)); break;
                case MetricNames.Threads: line.Append(" threads=").Append(s.Value); break;
                default:
                    if (s.Key.Metric.StartsWith(MetricNames.CommandPrefix, StringComparison.Ordinal))
                    {
                        line.Append(' ').Append(s.Key.Metric).Append('=').Append(s.Value);
                    }

                    break;
            }
        }

        if (fds is not null)
        {
            line.Append(" fds=").Append(fds).Append('/').Append(limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited");
        }

        DotNetPanel.AppendPlain(line, round);
        PostgresPanel.AppendPlain(line, round);
        _out.WriteLine(line.ToString());
    }
}
