using System.Text.RegularExpressions;
using LeakHound.Reporting;
using LeakHound.Tests.Recording;

namespace LeakHound.Tests.Reporting;

/// <summary>The report in a real browser, offline: it loads, every chart draws its points, and nothing is logged.</summary>
public sealed partial class ChromiumReportTests
{
    private static readonly ReportOptions Options = new() { Title = "Chromium test", Capacity = 300, GeneratedAt = ReportData.T0 };

    [Fact]
    public async Task The_report_draws_every_chart_offline_with_no_console_output()
    {
        using var folder = new TempFolder();
        var html = folder.Path("report.html");
        var data = ReportData.Build();
        var charts = HtmlReport.Write(html, data, Options, ReportData.Verdicts());

        var page = await HeadlessChromium.DumpDomAsync(html);

        var status = StatusOk().Match(page.Status);
        Assert.True(status.Success, $"status: {page.Status}\n{page.Log}");
        Assert.Equal(charts, int.Parse(status.Groups[1].Value));

        // Every value of every series is drawn, but for the state that stayed at zero (not on the chart).
        var expected = data.Series.Where(s => s.Key != ReportData.Listen).Sum(s => s.Points.Count);
        Assert.Equal(expected, int.Parse(status.Groups[2].Value));
        Assert.Empty(page.ConsoleLines);

        // The browser's own rendering of the hostile name is text, not an element.
        Assert.DoesNotContain("<img src=\"x\"", page.Dom);
        Assert.Equal(charts, Regex.Count(page.Dom, "class=\"uplot"));
    }

    [Fact]
    public async Task A_broken_report_says_so_in_its_status()
    {
        // The check must be able to fail: corrupt the data and the page must report an error, not "ok".
        using var folder = new TempFolder();
        var html = folder.Path("broken.html");
        var text = HtmlReport.Render(ReportData.Build(), Options);
        File.WriteAllText(html, text.Replace("<script type=\"application/json\" id=\"lh-data\">{", "<script type=\"application/json\" id=\"lh-data\">{{", StringComparison.Ordinal));

        var page = await HeadlessChromium.DumpDomAsync(html);

        Assert.StartsWith("error:", page.Status);
    }

    [Fact]
    public async Task A_screenshot_of_the_report_is_saved_as_a_test_artifact()
    {
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        var html = Path.Combine(artifacts, "report.html");
        var png = Path.Combine(artifacts, "report-screenshot.png");
        File.Delete(png);
        HtmlReport.Write(html, ReportData.Build(), Options, ReportData.Verdicts());

        var log = await HeadlessChromium.ScreenshotAsync(html, png);

        Assert.True(File.Exists(png), log);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(PngChartTests.Signature, bytes[..8]);
        Assert.Equal((1280, 2000), PngChartTests.Size(bytes));

        // A page of charts is far from blank: a blank 1280x2000 PNG compresses to a few kB.
        Assert.True(bytes.Length > 60_000, $"{bytes.Length} bytes");
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshot of the report: {png}");
    }

    [GeneratedRegex(@"^ok: (\d+) charts, (\d+) points, \d+ ms$")]
    private static partial Regex StatusOk();
}
