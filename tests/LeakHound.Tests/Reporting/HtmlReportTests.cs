using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeakHound.Reporting;

namespace LeakHound.Tests.Reporting;

public sealed partial class HtmlReportTests
{
    private static readonly ReportOptions Options = new() { Title = "report <of> \"leaky\"", Capacity = 500, GeneratedAt = ReportData.T0 };

    [Fact]
    public void A_hostile_peer_name_never_appears_unescaped()
    {
        var html = HtmlReport.Render(ReportData.Build(), Options, ReportData.Verdicts());

        Assert.DoesNotContain(ReportData.HostilePeer, html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<b>leaky</b>", html);
        Assert.DoesNotContain("\u2028", html);
        Assert.DoesNotContain("\u2029", html);

        // Only the report's own four script elements (data, uPlot, charts.js, report.js), each closed once.
        Assert.Equal(4, ScriptOpen().Count(html));
        Assert.Equal(4, html.Split("</script", StringSplitOptions.None).Length - 1);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
    }

    [Fact]
    public void The_embedded_json_gives_the_page_the_exact_names_back()
    {
        var html = HtmlReport.Render(ReportData.Build(), Options, ReportData.Verdicts());

        using var json = JsonDocument.Parse(DataJson(html));
        var labels = json.RootElement.GetProperty("charts").EnumerateArray()
            .SelectMany(c => c.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("label").GetString()))
            .ToList();
        Assert.Contains(ReportData.HostilePeer + " close_wait", labels);
    }

    [Fact]
    public void The_report_references_no_external_resource()
    {
        var html = HtmlReport.Render(ReportData.Build(), Options, ReportData.Verdicts());

        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotMatch(SourceAttribute(), html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
    }

    [Fact]
    public void A_content_security_policy_allows_only_the_reports_own_scripts_and_no_network()
    {
        var html = HtmlReport.Render(ReportData.Build(), Options);

        var csp = CspMeta().Match(html);
        Assert.True(csp.Success, "no Content-Security-Policy meta tag");
        Assert.True(csp.Index < html.IndexOf("<script", StringComparison.Ordinal), "the policy must come before any script");
        var policy = csp.Groups[1].Value;
        Assert.Contains("default-src 'none'", policy);
        Assert.Matches(@"script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+';", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.DoesNotContain("connect-src", policy);
    }

    [Fact]
    public void Verdicts_are_summarised_at_the_top_and_their_onset_marked_on_the_chart()
    {
        var html = HtmlReport.Render(ReportData.Build(), Options, ReportData.Verdicts());
        var text = WebUtility.HtmlDecode(html);

        var verdicts = html.IndexOf("id=\"verdicts\"", StringComparison.Ordinal);
        Assert.True(verdicts > 0 && verdicts < html.IndexOf("data-chart=", StringComparison.Ordinal), "verdicts must come before the charts");
        Assert.Contains("1 series is leaking (of 2 analysed).", text);
        Assert.Contains("+1,200 (+1,150 to +1,250)", text);
        Assert.Contains("1,024 in 42m", text);
        Assert.Contains("1 other verdict", text);

        using var json = JsonDocument.Parse(DataJson(html));
        var peers = json.RootElement.GetProperty("charts").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "peers");
        var onset = peers.GetProperty("markers").EnumerateArray().Single(m => m.GetProperty("kind").GetString() == "onset");
        Assert.Equal(ReportData.T0.AddSeconds(60).ToUnixTimeSeconds(), onset.GetProperty("t").GetDouble());
        var tcp = json.RootElement.GetProperty("charts").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "tcp");
        Assert.DoesNotContain(tcp.GetProperty("markers").EnumerateArray(), m => m.GetProperty("kind").GetString() == "onset");
    }

    [Fact]
    public void Without_verdicts_there_is_no_verdict_section()
    {
        var html = HtmlReport.Render(ReportData.Build(), Options);

        Assert.DoesNotContain("id=\"verdicts\"", html);
    }

    [Fact]
    public void Charts_group_series_mark_events_and_draw_capacities()
    {
        var html = HtmlReport.Render(ReportData.Build(), Options);

        using var json = JsonDocument.Parse(DataJson(html));
        var charts = json.RootElement.GetProperty("charts").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.Equal(["tcp", "peers", "fds", "m0"], charts.Keys);

        // A state that stayed at zero is left off; the fd limit is a dashed line on the fds chart.
        Assert.Equal(["close_wait", "established"], Labels(charts["tcp"]).Order());
        Assert.Equal(500, charts["tcp"].GetProperty("capacity").GetDouble());
        var limit = charts["fds"].GetProperty("series").EnumerateArray().Single(s => s.GetProperty("label").GetString() == "fd limit");
        Assert.True(limit.GetProperty("limit").GetBoolean());
        Assert.Equal(JsonValueKind.Null, charts["fds"].GetProperty("capacity").ValueKind);
        Assert.Equal(["gap", "restart", "end"], charts["fds"].GetProperty("markers").EnumerateArray().Select(m => m.GetProperty("kind").GetString()));
        Assert.Single(charts["tcp"].GetProperty("breaks").EnumerateArray());
        Assert.Contains("<h2>Command tmp_files</h2>", html);
    }

    [Fact]
    public void A_week_of_one_second_samples_stays_within_the_point_budget()
    {
        var data = ReportData.Build(rounds: 7 * 24 * 3600);

        var html = HtmlReport.Render(data, Options);

        using var json = JsonDocument.Parse(DataJson(html));
        foreach (var chart in json.RootElement.GetProperty("charts").EnumerateArray())
        {
            Assert.InRange(chart.GetProperty("x").GetArrayLength(), 100, Options.MaxPointsPerSeries);
        }

        Assert.InRange(html.Length, 1, 2_000_000);
    }

    private static IEnumerable<string> Labels(JsonElement chart) =>
        chart.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("label").GetString()!);

    internal static string DataJson(string html)
    {
        var match = DataScript().Match(html);
        Assert.True(match.Success, "no lh-data script");
        return match.Groups[1].Value;
    }

    [GeneratedRegex("<script[ >]")]
    private static partial Regex ScriptOpen();

    [GeneratedRegex("https?://", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [GeneratedRegex(@"<[a-z]+\s[^>]*\b(src|href|action|poster)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex SourceAttribute();

    [GeneratedRegex("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\">")]
    private static partial Regex CspMeta();

    [GeneratedRegex("<script type=\"application/json\" id=\"lh-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex DataScript();
}
