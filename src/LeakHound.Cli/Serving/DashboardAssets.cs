using System.Text;
using LeakHound.Reporting;

namespace LeakHound.Cli.Serving;

/// <summary>A file the dashboard serves: bytes held in memory and their content type.</summary>
internal sealed record DashboardAsset(byte[] Bytes, string ContentType);

/// <summary>
/// Everything the dashboard serves as a file: its page, script and style (embedded in this assembly) and the report's
/// vendored uPlot (embedded in the engine). A fixed table, looked up by exact name: no path reaches the file system.
/// </summary>
internal static class DashboardAssets
{
    private static readonly Dictionary<string, DashboardAsset> All = new(StringComparer.Ordinal)
    {
        ["dashboard.html"] = new(Read("dashboard.html"), "text/html; charset=utf-8"),
        ["dashboard.js"] = new(Read("dashboard.js"), "text/javascript; charset=utf-8"),
        ["dashboard.css"] = new(Read("dashboard.css"), "text/css; charset=utf-8"),
        ["uPlot.iife.min.js"] = new(Encoding.UTF8.GetBytes(ReportAssets.UPlotScript), "text/javascript; charset=utf-8"),
        ["charts.js"] = new(Encoding.UTF8.GetBytes(ReportAssets.ChartScript), "text/javascript; charset=utf-8"),
        ["uPlot.min.css"] = new(Encoding.UTF8.GetBytes(ReportAssets.UPlotStyle), "text/css; charset=utf-8"),
    };

    public static IEnumerable<string> Names => All.Keys;

    public static DashboardAsset? Find(string name) => All.GetValueOrDefault(name);

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("LeakHound.Cli.Serving." + name)
            ?? throw new InvalidOperationException($"The dashboard asset {name} is not embedded.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
