using System.Globalization;
using LeakHound.Samples;

namespace LeakHound.Analysis;

/// <summary>Verdicts in words: "close_wait is leaking: +590/min (95% CI +585 to +596/min, p &lt; 0.001) since 06:12:03, …".</summary>
public static class VerdictText
{
    /// <summary>What a series is called in a sentence: the TCP state, "close_wait towards PEER", "the fd count", a command's name.</summary>
    public static string Name(SeriesKey key) => key.Metric switch
    {
        MetricNames.TcpConnections => key.Label(MetricNames.StateLabel) ?? key.ToString(),
        MetricNames.TcpPeerConnections => $"{key.Label(MetricNames.StateLabel) ?? "?"} towards {key.Label(MetricNames.PeerLabel) ?? "?"}",
        MetricNames.TcpInboundConnections => $"{key.Label(MetricNames.StateLabel) ?? "?"} from {Client(key)}",
        MetricNames.Fds => "the fd count",
        MetricNames.UdpSockets => "UDP sockets",
        MetricNames.UnixSockets => "Unix sockets",
        MetricNames.RssBytes => "resident memory",
        MetricNames.Threads => "threads",
        _ when key.Metric.StartsWith(MetricNames.CommandPrefix, StringComparison.Ordinal) && key.Labels.Count == 0 => key.Metric[MetricNames.CommandPrefix.Length..],
        _ => key.ToString(),
    };

    /// <summary>An inbound series' clients as a sentence says them: "10.0.0.5 on :8080".</summary>
    public static string Client(SeriesKey key) => $"{key.Label(MetricNames.ClientLabel) ?? "?"} on :{key.Label(MetricNames.PortLabel) ?? "?"}";

    /// <summary>The verdict as the word the JSON and the table use.</summary>
    public static string Word(VerdictKind kind) => kind switch
    {
        VerdictKind.Leaking => "leaking",
        VerdictKind.Shrinking => "shrinking",
        VerdictKind.NotEnoughData => "not enough data",
        _ => "stable",
    };

    public static string Summary(LeakVerdict v)
    {
        var name = Name(v.Key);
        var segment = v.Segments > 1 ? $" (the last of {v.Segments} segments, since {When(v.From, v)})" : "";
        switch (v.Kind)
        {
            case VerdictKind.NotEnoughData:
                return v.Points == 0
                    ? $"{name}: no data."
                    : $"{name}: not enough data ({Number(v.Points)} points over {Duration.Format(v.To - v.From)}){segment}.";
            case VerdictKind.Stable:
                return v.Min == v.Max
                    ? $"{name} is stable at {Number(v.Last)}{segment}."
                    : $"{name} is stable at {Number(v.Last)} (trend {Rate(v.SlopePerHour)}, {P(v.PValue)}){segment}.";
            case VerdictKind.Shrinking:
                return $"{name} is shrinking: {RateWithInterval(v)} to {Number(v.Last)}{segment}.";
            default:
                var since = v.Onset is { } onset ? $" since {When(onset, v)}" : "";
                var towards = v.Towards is { } peer && !MetricNames.IsTcpBreakdown(v.Key.Metric) ? $", {(v.TowardsClient ? "from" : "towards")} {peer}" : "";
                return $"{name} is leaking: {RateWithInterval(v)}{since}{towards}; {Number(v.Last)} now{Capacity(v)}{segment}.";
        }
    }

    /// <summary>A rate per hour in the unit that reads best: per minute from 3,600/h up, as the watch view does.</summary>
    public static string Rate(double perHour) =>
        Math.Abs(perHour) >= 3600 ? $"{Signed(perHour / 60)}/min" : $"{Signed(perHour)}/h";

    public static string RateWithInterval(LeakVerdict v)
    {
        var perMinute = Math.Abs(v.SlopePerHour) >= 3600;
        var scale = perMinute ? 60 : 1;
        var unit = perMinute ? "/min" : "/h";
        return $"{Signed(v.SlopePerHour / scale)}{unit} (95% CI {Signed(v.SlopeLowPerHour / scale)} to {Signed(v.SlopeHighPerHour / scale)}{unit}, {P(v.PValue)})";
    }

    public static string P(double p) => p < 0.001 ? "p < 0.001" : $"p = {p.ToString("0.###", CultureInfo.InvariantCulture)}";

    public static string Number(double value)
    {
        var magnitude = Math.Abs(value);
        var format = magnitude >= 100 ? "#,0" : magnitude >= 10 ? "#,0.#" : "#,0.##";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    public static string Signed(double value)
    {
        var text = Number(value);
        return text is "0" or "-0" ? "0" : value > 0 ? "+" + text : text;
    }

    private static string Capacity(LeakVerdict v)
    {
        if (v.Capacity is not { } capacity || v.TimeToCapacity is not { } left)
        {
            return "";
        }

        var what = $"{v.CapacityName ?? "the capacity"} of {Number(capacity)}";
        return left == TimeSpan.Zero ? $"; {what} is reached already" : $"; {what} is reached in {Duration.Format(left)}";
    }

    /// <summary>A time of day in UTC when the segment lies within one UTC day, otherwise with the date; always marked UTC,
    /// since a reader's clock may be in any zone.</summary>
    private static string When(DateTimeOffset time, LeakVerdict v) =>
        (v.From.UtcDateTime.Date == v.To.UtcDateTime.Date
            ? time.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)) + " UTC";
}
