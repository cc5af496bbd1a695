using System.Text.Json;
using System.Text.RegularExpressions;

namespace LeakHound.Cli.Tests;

public sealed partial class PlotCommandTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task Plot_writes_a_report_and_a_png_of_a_real_watch_recording()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 6, closeWait: 4);
        using var dir = new TempDir();
        var db = dir.File("w.db");
        var watch = await ChildProcess.RunLeakHoundAsync("watch", "--pid", holder.Pid.ToString(), "--interval", "100ms", "--count", "4", "--out", db);
        Assert.True(watch.ExitCode == 0, watch.ToString());

        var result = await ChildProcess.RunLeakHoundAsync("plot", db, "-o", dir.File("r.html"), "--png", dir.File("r.png"), "--capacity", "50");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(dir.File("r.html"), result.Stdout);
        var html = File.ReadAllText(dir.File("r.html"));
        Assert.Contains("<h2>TCP connections by state</h2>", html);
        Assert.Contains("<h2>Connections by peer</h2>", html);
        Assert.Contains("<h2>Open file descriptors against the limit</h2>", html);
        var data = JsonDocument.Parse(DataJson().Match(html).Groups[1].Value).RootElement;
        var tcp = data.GetProperty("charts")[0];
        Assert.Equal(50, tcp.GetProperty("capacity").GetDouble());
        var closeWait = tcp.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("label").GetString() == "close_wait");
        Assert.All(closeWait.GetProperty("y").EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number), v => Assert.Equal(4, v.GetDouble()));

        var png = File.ReadAllBytes(dir.File("r.png"));
        Assert.Equal(PngSignature, png[..8]);
        Assert.InRange(png.Length, 20_000, 3_000_000);
    }

    [Fact]
    public async Task Plot_reads_the_seeds_unix_timestamp_value_file()
    {
        using var dir = new TempDir();
        var log = dir.File("tracking.log");
        File.WriteAllLines(log, Enumerable.Range(0, 300).Select(i => $"{1_700_000_000 + (i * 60)},{40 + (i / 10)}"));

        var result = await ChildProcess.RunLeakHoundAsync("plot", log, "-o", dir.File("seeds.html"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var written = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(1, written.GetProperty("charts").GetInt32());
        var data = JsonDocument.Parse(DataJson().Match(File.ReadAllText(dir.File("seeds.html"))).Groups[1].Value).RootElement;
        var y = data.GetProperty("charts")[0].GetProperty("series")[0].GetProperty("y");
        Assert.Equal(300, y.GetArrayLength());
        Assert.Equal(69, y[299].GetDouble());
    }

    [Theory]
    [InlineData("missing-dir/r.html", "does not exist")]
    [InlineData("file.txt/r.html", "is a file, not a directory")]
    [InlineData(".", "it is a directory")]
    public async Task An_unwritable_output_is_one_line_and_exit_1(string output, string reason)
    {
        using var dir = new TempDir();
        var log = dir.File("tracking.log");
        File.WriteAllText(log, "1700000000,1\n1700000060,2\n");
        File.WriteAllText(dir.File("file.txt"), "");

        var result = await ChildProcess.RunLeakHoundAsync("plot", log, "-o", Path.Combine(dir.Path, output));

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("leakhound: Cannot write ", line);
        Assert.Contains(reason, line);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task An_unwritable_png_is_one_line_and_exit_1_before_anything_is_written()
    {
        using var dir = new TempDir();
        var log = dir.File("tracking.log");
        File.WriteAllText(log, "1700000000,1\n1700000060,2\n");

        var result = await ChildProcess.RunLeakHoundAsync("plot", log, "-o", dir.File("r.html"), "--png", dir.File("nope/c.png"));

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(dir.File("r.html")));
    }

    [Fact]
    public async Task An_empty_file_is_one_line_and_exit_1()
    {
        using var dir = new TempDir();
        var empty = dir.File("empty.csv");
        File.WriteAllText(empty, "");

        var result = await ChildProcess.RunLeakHoundAsync("plot", empty, "-o", dir.File("r.html"));

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("empty", line);
        Assert.False(File.Exists(dir.File("r.html")));
    }

    [Fact]
    public async Task A_bad_capacity_is_a_usage_error()
    {
        using var dir = new TempDir();
        var log = dir.File("tracking.log");
        File.WriteAllText(log, "1700000000,1\n");

        var result = await ChildProcess.RunLeakHoundAsync("plot", log, "-o", dir.File("r.html"), "--capacity", "lots");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'lots' is not a valid capacity", result.Stderr);
    }

    [Fact]
    public async Task Demo_writes_the_report_next_to_the_store_and_prints_its_path()
    {
        using var dir = new TempDir();
        var db = dir.File("demo.db");

        var result = await ChildProcess.RunLeakHoundAsync(TimeSpan.FromSeconds(120), "demo", "--duration", "3s", "--interval", "1s", "--out", db);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Report: " + dir.File("demo.html"), result.Stdout.Replace("\n", "", StringComparison.Ordinal));
        Assert.Contains("<h2>TCP connections by state</h2>", File.ReadAllText(dir.File("demo.html")));
    }

    [GeneratedRegex("<script type=\"application/json\" id=\"lh-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex DataJson();
}
