namespace LeakHound.Reporting;

/// <summary>The files a report inlines (uPlot and the report's own script and style), embedded in this assembly.</summary>
internal static class ReportAssets
{
    /// <summary>The vendored uPlot's version (Assets/README.md says how to update it), for the report's credit line.</summary>
    public const string UPlotVersion = "1.6.32";

    public static string UPlotScript { get; } = StripBanner(Read("uPlot.iife.min.js"));

    public static string UPlotStyle { get; } = Read("uPlot.min.css");

    /// <summary>What the report and serve's dashboard draw alike: formats, axes, overlay, a chart's options.</summary>
    public static string ChartScript { get; } = Read("charts.js");

    public static string ReportScript { get; } = Read("report.js");

    public static string ReportStyle { get; } = Read("report.css");

    private static string Read(string name)
    {
        using var stream = typeof(ReportAssets).Assembly.GetManifestResourceStream("LeakHound.Reporting." + name)
            ?? throw new InvalidOperationException($"The report asset {name} is not embedded in {typeof(ReportAssets).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// uPlot's first line is a comment naming its home page with https://. The report names it without a scheme in
    /// its own credit line instead, so that a report holds no URL at all and a test can say so strictly.
    /// </summary>
    private static string StripBanner(string script) =>
        script.StartsWith("/*!", StringComparison.Ordinal) && script.IndexOf("*/", StringComparison.Ordinal) is var end and > 0
            ? script[(end + 2)..].TrimStart()
            : script;
}
