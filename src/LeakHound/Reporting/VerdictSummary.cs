using System.Text;
using LeakHound.Analysis;

namespace LeakHound.Reporting;

/// <summary>The top of the report: how many series leak, and for each verdict its sentence and numbers.</summary>
internal static class VerdictSummary
{
    public static void Append(StringBuilder html, IReadOnlyList<LeakVerdict>? verdicts)
    {
        if (verdicts is null)
        {
            // No analysis was asked for: say nothing rather than suggest the data was found clean.
            return;
        }

        html.Append("<section id=\"verdicts\">\n<h2>Verdicts</h2>\n");
        var leaking = verdicts.Where(v => v.Kind == VerdictKind.Leaking)
            .OrderBy(v => v.TimeToCapacity ?? TimeSpan.MaxValue)
            .ThenByDescending(v => v.SlopePerHour)
            .ToList();
        var others = verdicts.Where(v => v.Kind != VerdictKind.Leaking)
            .OrderBy(v => v.Kind)
            .ThenBy(v => v.Key)
            .ToList();

        if (verdicts.Count == 0)
        {
            html.Append("<p class=\"verdict-headline\">No series was analysed.</p>\n");
        }
        else if (leaking.Count == 0)
        {
            html.Append("<p class=\"verdict-headline clean\">No leak found in ").Append(Count(verdicts.Count, "series", "series")).Append(".</p>\n");
        }
        else
        {
            html.Append("<p class=\"verdict-headline leaking\">")
                .Append(HtmlReport.Text($"{Count(leaking.Count, "series is", "series are")} leaking (of {verdicts.Count} analysed)."))
                .Append("</p>\n");
            AppendTable(html, leaking);
        }

        if (others.Count > 0)
        {
            html.Append(leaking.Count == 0 ? "<details>" : "<details>")
                .Append("<summary>").Append(HtmlReport.Text(Count(others.Count, "other verdict", "other verdicts"))).Append("</summary>\n");
            AppendTable(html, others);
            html.Append("</details>\n");
        }

        html.Append("</section>\n");
    }

    private static void AppendTable(StringBuilder html, List<LeakVerdict> verdicts)
    {
        html.Append("<table class=\"verdicts\">\n<thead><tr><th>verdict</th><th>what it says</th><th>rate / h (95%)</th><th>p</th><th>onset</th><th>capacity in</th></tr></thead>\n<tbody>\n");
        foreach (var v in verdicts)
        {
            var kind = v.Kind switch
            {
                VerdictKind.Leaking => "leaking",
                VerdictKind.Stable => "stable",
                VerdictKind.Shrinking => "shrinking",
                _ => "not enough data",
            };
            html.Append("<tr><td><span class=\"badge ").Append(v.Kind.ToString().ToLowerInvariant()).Append("\">").Append(kind).Append("</span></td>")
                .Append("<td>").Append(HtmlReport.Text(v.Summary))
                .Append("<br><span class=\"series-key\">").Append(HtmlReport.Text(v.Key.ToString())).Append("</span></td>")
                .Append("<td class=\"num\">").Append(HtmlReport.Text(Rate(v))).Append("</td>")
                .Append("<td class=\"num\">").Append(v.PValue < 1 ? HtmlReport.Text(v.PValue < 0.0001 ? "<0.0001" : v.PValue.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)) : "").Append("</td>")
                .Append("<td class=\"num\">").Append(v.Onset is { } onset ? HtmlReport.Time(onset) : "").Append("</td>")
                .Append("<td class=\"num\">").Append(HtmlReport.Text(Capacity(v))).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static string Rate(LeakVerdict v) =>
        v.Kind == VerdictKind.NotEnoughData ? "" : $"{Signed(v.SlopePerHour)} ({Signed(v.SlopeLowPerHour)} to {Signed(v.SlopeHighPerHour)})";

    private static string Capacity(LeakVerdict v) => (v.Capacity, v.TimeToCapacity) switch
    {
        ({ } c, { } t) => $"{HtmlReport.Number(c)} in {Duration.Format(t)}",
        ({ } c, null) => $"{HtmlReport.Number(c)}: not at this rate",
        _ => "",
    };

    private static string Signed(double value) => (value > 0 ? "+" : "") + HtmlReport.Number(value);

    private static string Count(int n, string one, string many) => $"{n:#,0} {(n == 1 ? one : many)}";
}
