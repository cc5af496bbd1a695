using System.Text.Json.Nodes;

namespace LeakHound.Cli.Tests.Serve;

/// <summary>The dashboard in a real headless Chromium, driven over the DevTools protocol.</summary>
public sealed class DashboardChromiumTests
{
    private const string Numbers =
        "(() => { const s = document.getElementById('lh-status'); return { text: s.textContent, points: +(s.dataset.points || 0), rounds: +(s.dataset.rounds || 0), charts: +(s.dataset.charts || 0), marker: window.lhMarker || 0, x: document.querySelectorAll('.uplot').length }; })()";

    [Fact]
    public async Task The_charts_gain_points_from_a_leaking_process_without_a_reload()
    {
        var (downstream, client) = await ServeFixtures.StartLeakAsync(rate: 5);
        using var d = downstream;
        using var c = client;
        using var dir = new TempDir();
        try
        {
            using var serve = await ServeProcess.StartAsync("--pid", client.Id.ToString(), "--interval", "1s", "--out", dir.File("live.db"), "--capacity", "200",
                "--alert", "process.tcp.connections{state=close_wait} > 3");
            await using var browser = await DevToolsChromium.OpenAsync(serve.Url + "/");

            await browser.WaitForAsync("document.getElementById('lh-status').dataset.rounds >= 1", TimeSpan.FromSeconds(30), "the first pushed round");
            // A mark on the page's window: a reload would lose it.
            await browser.EvaluateAsync("window.lhMarker = 42");
            var first = (await browser.EvaluateAsync(Numbers))!;
            Assert.StartsWith("ok:", (string)first["text"]!);

            await browser.WaitForAsync($"document.getElementById('lh-status').dataset.rounds >= {(int)first["rounds"]! + 3}", TimeSpan.FromSeconds(30), "three more rounds");
            var later = (await browser.EvaluateAsync(Numbers))!;

            Assert.StartsWith("ok:", (string)later["text"]!);
            Assert.Equal(42, (int)later["marker"]!);
            Assert.True((int)later["points"]! > (int)first["points"]!, $"points {first["points"]} -> {later["points"]}");
            Assert.True((int)later["charts"]! >= 3, later.ToJsonString());
            Assert.Equal((int)later["charts"]!, (int)later["x"]!);

            // Verdicts arrive with the rounds too, once there are enough points: CLOSE_WAIT is leaking.
            await browser.WaitForAsync(
                "[...document.querySelectorAll('#lh-verdicts tbody tr')].some(r => r.textContent.includes('close_wait') && r.textContent.includes('leaking'))",
                TimeSpan.FromSeconds(40), "a leaking close_wait verdict");
            // CLOSE_WAIT was zero when the page loaded: its line joins the TCP chart as soon as it appears.
            await browser.WaitForAsync("document.querySelector('.chart').textContent.includes('close_wait')", TimeSpan.FromSeconds(20), "close_wait on the TCP chart");
            await browser.WaitForAsync("document.getElementById('lh-firing').textContent.includes('firing: process.tcp.connections{state=close_wait} > 3')", TimeSpan.FromSeconds(20), "the alert shown as firing");

            var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
            var png = Path.Combine(artifacts, "dashboard-live.png");
            await browser.ScreenshotAsync(png);
            Assert.True(new FileInfo(png).Length > 10_000);
        }
        finally
        {
            ChildProcess.Stop(client);
            ChildProcess.Stop(downstream);
        }
    }

    [Fact]
    public async Task A_hostile_peer_name_is_shown_as_text_and_never_runs()
    {
        using var dir = new TempDir();
        var store = await ServeFixtures.WriteStoreAsync(dir.File("hostile.db"));
        using var serve = await ServeProcess.StartAsync(store);
        await using var browser = await DevToolsChromium.OpenAsync(serve.Url + "/");

        await browser.WaitForAsync("document.getElementById('lh-status').textContent.startsWith('ok:')", TimeSpan.FromSeconds(30), "the charts drawn");
        var result = (await browser.EvaluateAsync(
            "({ pwned: window.pwned || 0, title: document.title, imgs: document.querySelectorAll('img').length, scripts: document.scripts.length, text: document.body.innerText.includes(\"<script>document.title='pwned'</script>\") })"))!;

        Assert.Equal(0, (int)result["pwned"]!);
        Assert.DoesNotContain("pwned", (string)result["title"]!);
        Assert.Equal(0, (int)result["imgs"]!);
        Assert.Equal(3, (int)result["scripts"]!); // uPlot, charts.js, dashboard.js
        Assert.True((bool)result["text"]!, "the peer name shows as text in a legend or the verdicts");

        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        await browser.ScreenshotAsync(Path.Combine(artifacts, "dashboard-file.png"));
    }

    [Fact]
    public async Task A_recording_still_being_written_is_followed_read_only()
    {
        using var dir = new TempDir();
        var store = await ServeFixtures.WriteStoreAsync(dir.File("growing.db"));
        using var serve = await ServeProcess.StartAsync(store);
        await using var browser = await DevToolsChromium.OpenAsync(serve.Url + "/");
        await browser.WaitForAsync("document.getElementById('lh-status').textContent.startsWith('ok:')", TimeSpan.FromSeconds(30), "the charts drawn");
        var first = (await browser.EvaluateAsync(Numbers))!;

        // Another process's watch goes on writing the file: ten more rounds, CLOSE_WAIT up to 99.
        await ServeFixtures.AppendRoundsAsync(store, 10, closeWait: 99);

        await browser.WaitForAsync($"+document.getElementById('lh-status').dataset.points > {(int)first["points"]!}", TimeSpan.FromSeconds(30), "the new rounds drawn");
        using var http = new HttpClient();
        Assert.Contains("leakhound_process_tcp_connections{pid=\"4242\",state=\"close_wait\"} 99", await http.GetStringAsync(serve.Url + "/metrics"));
        var later = (await browser.EvaluateAsync(Numbers))!;
        Assert.StartsWith("ok:", (string)later["text"]!);
        Assert.Equal((int)first["charts"]!, (int)later["charts"]!);
    }
}
