using LeakHound.Samples;

namespace LeakHound.Alerting;

public enum Comparison
{
    Above,
    AtLeast,
    Below,
    AtMost,
}

/// <summary>A capacity written in a rule: a number, or <c>limit</c>/<c>capacity</c> resolved per series at run time.</summary>
public readonly record struct CapacityRef(double? Value)
{
    public static CapacityRef Known => new(null);

    public bool IsKnown => Value is null;

    public override string ToString() => Value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "limit";
}

/// <summary>
/// One alert rule, parsed from text such as <c>process.fds &gt; 90% of limit for 2m</c>. A rule applies to each series
/// its selector matches, with a state of its own per series.
/// </summary>
public abstract record AlertRule(string Text, TimeSpan For)
{
    /// <summary>A short name for messages and metrics: the rule's text.</summary>
    public string Name => Text;

    /// <summary><c>SELECTOR &gt; N</c>, or <c>SELECTOR &gt; P% of CAPACITY</c>.</summary>
    public sealed record Threshold(string Text, SeriesSelector Selector, Comparison Comparison, double Value, double? Percent, CapacityRef Of, TimeSpan For)
        : AlertRule(Text, For);

    /// <summary><c>SELECTOR exhausts CAPACITY within DURATION</c>: at the current slope, capacity is reached within the horizon.</summary>
    public sealed record Exhaustion(string Text, SeriesSelector Selector, CapacityRef Capacity, TimeSpan Within, TimeSpan For)
        : AlertRule(Text, For);

    /// <summary><c>leaking SELECTOR for DURATION</c>: the verdict has said "leaking" for that long.</summary>
    public sealed record Leaking(string Text, SeriesSelector Selector, TimeSpan For)
        : AlertRule(Text, For);

    /// <summary><c>source down for DURATION</c>: a source has failed to answer for that long.</summary>
    public sealed record SourceDown(string Text, TimeSpan For)
        : AlertRule(Text, For);
}

/// <summary>A metric and the labels a series must have: <c>process.tcp.connections{state=close_wait}</c>.</summary>
public sealed record SeriesSelector(string Metric, IReadOnlyList<KeyValuePair<string, string>> Labels)
{
    public bool Matches(SeriesKey key)
    {
        if (key.Metric != Metric)
        {
            return false;
        }

        foreach (var (name, value) in Labels)
        {
            if (key.Label(name) != value)
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() =>
        Labels.Count == 0 ? Metric : $"{Metric}{{{string.Join(",", Labels.Select(l => $"{l.Key}={l.Value}"))}}}";
}
