using System.Globalization;
using System.Text;
using LeakHound.Analysis;

namespace LeakHound.Alerting;

/// <summary>
/// The words of an alert, the same in every notifier: a subject line and a body. Series labels, peer and process names
/// come from other parties: each is kept to one line of bounded length, so none can add a mail header or a line.
/// </summary>
public static class AlertText
{
    private const int MaxName = 200;

    public static string Subject(AlertNotice n)
    {
        var what = n.Kind switch
        {
            NoticeKind.Firing => "FIRING",
            NoticeKind.Resolved => "RESOLVED",
            NoticeKind.Reminder => "STILL FIRING",
            NoticeKind.Test => "TEST",
            _ => "DIGEST",
        };
        var series = n.Series is null ? "" : $" {Name(n.Series.ToString())}";
        var where = n.Process is null ? Name(n.Host) : $"{Name(n.Process)} on {Name(n.Host)}";
        return n.Kind is NoticeKind.Test or NoticeKind.Digest
            ? $"[LeakHound] {what}: {n.Rule} ({where})"
            : $"[LeakHound] {what}: {n.Rule}{(n.Series is null || n.Rule.Contains(n.Series.ToString(), StringComparison.Ordinal) ? "" : series)} ({where})";
    }

    public static string Body(AlertNotice n)
    {
        var text = new StringBuilder();
        text.AppendLine(Subject(n)["[LeakHound] ".Length..]);
        text.AppendLine();
        if (n.Kind == NoticeKind.Test)
        {
            text.AppendLine("This is a test alert sent by 'leakhound alert test': if you can read it, this notifier works.");
        }

        if (n.Series is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Series:   {Name(n.Series.ToString())}");
        }

        if (n.Value is { } value)
        {
            var share = n.ShareOfCapacity is { } s ? $" ({s * 100:0.#}% of {n.Capacity:#,0.##})" : n.Capacity is { } c ? $" (capacity {c:#,0.##})" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"Value:    {value:#,0.##}{share}");
        }

        if (n.Verdict is { } v)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Trend:    {v.Summary}");
            if (v.TimeToCapacity is { } eta)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Capacity: reached in {Duration.Format(eta)} at this rate");
            }
        }

        if (n.TopPeers.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Peers:    {string.Join(", ", n.TopPeers.Select(p => $"{Name(p.Key)} ({p.Value:#,0})"))}");
        }

        var process = n.Process is null ? "" : n.Pid is { } pid ? $"{Name(n.Process)} (PID {pid}) on " : $"{Name(n.Process)} on ";
        text.AppendLine(CultureInfo.InvariantCulture, $"Process:  {process}{Name(n.Host)}");
        if (n.Since is { } since)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Since:    {Stamp(since)} ({Duration.Format(n.Time - since)} ago)");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Time:     {Stamp(n.Time)}");
        foreach (var line in n.Details)
        {
            text.AppendLine(UntrustedText.Neutralise(line));
        }

        return text.ToString();
    }

    private static string Name(string text) => UntrustedText.OneLine(text, MaxName);

    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string KindName(NoticeKind kind) => kind.ToString().ToLowerInvariant();

    internal static string? VerdictName(LeakVerdict? verdict) => verdict?.Kind switch
    {
        null => null,
        VerdictKind.NotEnoughData => "not enough data",
        var k => k.ToString()!.ToLowerInvariant(),
    };
}
