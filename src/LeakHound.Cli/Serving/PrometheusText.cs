using System.Globalization;
using System.Text;
using LeakHound.Analysis;
using LeakHound.Samples;

namespace LeakHound.Cli.Serving;

/// <summary>
/// The latest round in the Prometheus text exposition format (version 0.0.4): every series as a gauge named after
/// its metric (<c>process.tcp.connections</c> → <c>leakhound_process_tcp_connections</c>), labels as recorded, plus
/// the verdicts' slopes and times to capacity and which alert rules fire.
/// </summary>
/// <remarks>
/// Names are mapped generically, so a new source's metrics appear without a change here. Process series also get
/// <c>pid</c> and <c>process</c>. Per-peer (and per-application) series keep only the <see cref="TopPeers"/> busiest
/// peers and sum the rest into <c>peer="other"</c> per state, so ten thousand peers stay a few dozen series.
/// Label values are escaped as the format asks (backslash, double quote, newline).
/// </remarks>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>How many peers (or PostgreSQL applications) keep series of their own; the rest become "other".</summary>
    public const int TopPeers = 20;

    private static readonly Dictionary<string, string> Help = new(StringComparer.Ordinal)
    {
        [MetricNames.TcpConnections] = "TCP sockets of the watched process by state.",
        [MetricNames.TcpPeerConnections] = "TCP sockets of the watched process by remote peer and state (top peers, the rest as peer=\"other\").",
        [MetricNames.TcpInboundConnections] = "Accepted TCP connections of the watched process by client address, local port and state (top clients, the rest as client=\"other\").",
        [MetricNames.UdpSockets] = "UDP sockets of the watched process.",
        [MetricNames.UnixSockets] = "Unix domain sockets of the watched process.",
        [MetricNames.Fds] = "Open file descriptors of the watched process.",
        [MetricNames.FdLimit] = "The watched process's soft limit on open file descriptors.",
        [MetricNames.RssBytes] = "Resident memory of the watched process in bytes.",
        [MetricNames.Threads] = "Threads of the watched process.",
        [MetricNames.PgConnections] = "PostgreSQL backends by state (pg_stat_activity).",
        [MetricNames.PgAppConnections] = "PostgreSQL backends by application_name (top applications, the rest as application=\"other\").",
        [MetricNames.PgMaxConnections] = "PostgreSQL max_connections.",
        [MetricNames.PgReservedConnections] = "PostgreSQL connection slots reserved for superusers and replication.",
        [MetricNames.PgOldestIdleSeconds] = "Seconds the longest idle PostgreSQL connection has been idle.",
        [MetricNames.PgOldestIdleInTransactionSeconds] = "Seconds the longest idle-in-transaction PostgreSQL connection has been idle.",
        [MetricNames.PgIdleLongerThanThreshold] = "PostgreSQL connections idle longer than the threshold.",
    };

    public static string Write(ServeSnapshot snapshot)
    {
        var text = new StringBuilder(16 * 1024);
        var families = new SortedDictionary<string, Family>(StringComparer.Ordinal);
        foreach (var sample in Fold(snapshot.Samples))
        {
            if (!double.IsFinite(sample.Value))
            {
                continue;
            }

            var name = MetricName(sample.Key.Metric);
            if (!families.TryGetValue(name, out var family))
            {
                family = families[name] = new Family(sample.Key.Metric, []);
            }

            var labels = new List<KeyValuePair<string, string>>();
            if (sample.Key.Metric.StartsWith("process.", StringComparison.Ordinal))
            {
                if (snapshot.Pid is { } pid)
                {
                    labels.Add(new("pid", pid.ToString(CultureInfo.InvariantCulture)));
                }

                if (snapshot.Process is { } process)
                {
                    labels.Add(new("process", process));
                }
            }

            foreach (var label in sample.Key.Labels)
            {
                var labelName = LabelName(label.Key);
                if (labels.All(l => l.Key != labelName))
                {
                    labels.Add(new(labelName, label.Value));
                }
            }

            family.Lines.Add((labels, sample.Value));
        }

        foreach (var (name, family) in families)
        {
            Header(text, name, Help.GetValueOrDefault(family.Metric) ?? $"LeakHound series {family.Metric}.");
            foreach (var (labels, value) in family.Lines)
            {
                Line(text, name, labels, value);
            }
        }

        var verdicts = snapshot.Verdicts.Where(Exported).ToList();
        if (verdicts.Count > 0)
        {
            Header(text, "leakhound_leak_slope_per_hour", "Robust (Theil-Sen) growth of each series per hour, over its last segment.");
            foreach (var v in verdicts)
            {
                Line(text, "leakhound_leak_slope_per_hour", [new("series", v.Key.ToString())], v.SlopePerHour);
            }

            // The verdict as its own gauge rather than a label: a label that changes would start a new series.
            Header(text, "leakhound_leaking", "1 while LeakHound's trend test says the series is leaking (0 when it has a capacity in sight but is not).");
            foreach (var v in verdicts)
            {
                Line(text, "leakhound_leaking", [new("series", v.Key.ToString())], v.IsLeaking ? 1 : 0);
            }

            var bounded = verdicts.Where(v => v.TimeToCapacity is not null).ToList();
            if (bounded.Count > 0)
            {
                Header(text, "leakhound_time_to_capacity_seconds", "Seconds until the series reaches its capacity (pool size, fd limit) at its current growth.");
                foreach (var v in bounded)
                {
                    Line(text, "leakhound_time_to_capacity_seconds", [new("series", v.Key.ToString())], v.TimeToCapacity!.Value.TotalSeconds);
                }
            }
        }

        if (snapshot.Rules.Count > 0)
        {
            Header(text, "leakhound_alert_firing", "1 while the alert rule fires for at least one series, else 0.");
            var firing = snapshot.Firing.Select(f => f.Rule).ToHashSet(StringComparer.Ordinal);
            foreach (var rule in snapshot.Rules.Distinct(StringComparer.Ordinal))
            {
                Line(text, "leakhound_alert_firing", [new("rule", rule)], firing.Contains(rule) ? 1 : 0);
            }
        }

        Header(text, "leakhound_rounds_total", "Sampling rounds since serve started.", "counter");
        Line(text, "leakhound_rounds_total", [], snapshot.Rounds);
        return text.ToString();
    }

    /// <summary><c>a.b-c/d</c> → <c>leakhound_a_b_c_d</c>: the characters Prometheus allows, under one prefix.</summary>
    public static string MetricName(string metric) => "leakhound_" + Sanitise(metric);

    public static string LabelName(string label)
    {
        var name = Sanitise(label);
        return name.Length == 0 || char.IsAsciiDigit(name[0]) || name.StartsWith("__", StringComparison.Ordinal) ? "l_" + name : name;
    }

    /// <summary>A label value as the text format wants it: backslash, double quote and newline escaped.</summary>
    public static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny("\\\"\n") < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    public static string FormatValue(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Keeps the <see cref="TopPeers"/> peers (applications) with the most connections in total and sums the others
    /// per remaining labels into one "other" series; every other sample passes unchanged.
    /// </summary>
    public static IEnumerable<Sample> Fold(IReadOnlyList<Sample> samples)
    {
        var folded = new List<Sample>(samples.Count);
        foreach (var (metric, label) in new[]
        {
            (MetricNames.TcpPeerConnections, MetricNames.PeerLabel),
            (MetricNames.TcpInboundConnections, MetricNames.ClientLabel),
            (MetricNames.PgAppConnections, MetricNames.ApplicationLabel),
        })
        {
            var group = samples.Where(s => s.Key.Metric == metric).ToList();
            if (group.Count == 0)
            {
                continue;
            }

            var top = group.GroupBy(s => s.Key.Label(label) ?? "")
                .OrderByDescending(g => g.Sum(s => s.Value)).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Take(TopPeers).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
            var other = new Dictionary<SeriesKey, double>();
            foreach (var s in group)
            {
                if (top.Contains(s.Key.Label(label) ?? ""))
                {
                    folded.Add(s);
                    continue;
                }

                var key = SeriesKey.Of(metric, s.Key.Labels.Select(l => l.Key == label ? new KeyValuePair<string, string>(label, "other") : l));
                other[key] = other.GetValueOrDefault(key) + s.Value;
            }

            folded.AddRange(other.OrderBy(o => o.Key).Select(o => new Sample(o.Key, o.Value)));
        }

        return samples.Where(s => !MetricNames.IsBreakdown(s.Key.Metric)).Concat(folded);
    }

    /// <summary>
    /// Verdicts worth a series: leaking ones, and any with a time to capacity. A stable series needs none (its value
    /// says enough), so a thousand healthy series do not become three thousand.
    /// </summary>
    private static bool Exported(LeakVerdict v) => v.IsLeaking || (v.TimeToCapacity is not null && v.Kind != VerdictKind.NotEnoughData);

    private static void Header(StringBuilder text, string name, string help, string type = "gauge") =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
            .Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Line(StringBuilder text, string name, IReadOnlyList<KeyValuePair<string, string>> labels, double value)
    {
        text.Append(name);
        if (labels.Count > 0)
        {
            text.Append('{');
            for (var i = 0; i < labels.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                text.Append(labels[i].Key).Append("=\"").Append(EscapeLabelValue(labels[i].Value)).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(FormatValue(value)).Append('\n');
    }

    private static string Sanitise(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return sb.ToString();
    }

    private sealed record Family(string Metric, List<(List<KeyValuePair<string, string>> Labels, double Value)> Lines);
}
