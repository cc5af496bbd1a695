using System.Buffers.Binary;
using LeakHound.Reporting;
using LeakHound.Tests.Recording;

namespace LeakHound.Tests.Reporting;

public sealed class PngChartTests
{
    internal static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height from the PNG's IHDR chunk, which always comes first.</summary>
    internal static (int Width, int Height) Size(byte[] png) =>
        (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));

    [Fact]
    public void The_png_stacks_the_main_panels()
    {
        using var folder = new TempFolder();
        var path = folder.Path("chart.png");

        PngChart.Write(path, ReportData.Build(), new ReportOptions { Capacity = 300 }, ReportData.Verdicts());

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(Signature, bytes[..8]);
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);

        // TCP by state, peers, fds: three panels.
        Assert.Equal((PngChart.Width, 3 * PngChart.PanelHeight), Size(bytes));
        Assert.InRange(bytes.Length, 30_000, 2_000_000);
    }

    [Fact]
    public void A_single_series_file_gets_one_panel()
    {
        var data = new LeakHound.Recording.RecordedData(
            [new(LeakHound.Recording.CsvRecordingReader.HeaderlessKey, [.. Enumerable.Range(0, 100).Select(i => new LeakHound.Samples.TimedValue(ReportData.T0.AddMinutes(i), i))])],
            []);

        var bytes = PngChart.Render(data);

        Assert.Equal((PngChart.Width, PngChart.PanelHeight), Size(bytes));
    }
}
