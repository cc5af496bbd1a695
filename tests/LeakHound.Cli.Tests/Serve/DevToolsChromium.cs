using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeakHound.Cli.Tests.Serve;

/// <summary>
/// The real Debian <c>chromium</c>, headless, kept open on a page and driven over the DevTools protocol
/// (<c>--remote-debugging-port=0</c>, the port read from DevToolsActivePort, one WebSocket to the page): evaluate
/// script in the live page at several moments and take screenshots, which <c>--dump-dom</c> cannot do.
/// No network but loopback: everything else goes to a proxy that does not exist.
/// </summary>
internal sealed class DevToolsChromium : IAsyncDisposable
{
    private static readonly string[] Names = ["chromium", "chromium-browser"];
    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly ClientWebSocket _socket;
    private readonly StringBuilder _log;
    private int _nextId;

    private DevToolsChromium(Process process, DirectoryInfo profile, ClientWebSocket socket, StringBuilder log)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
        _log = log;
    }

    public static string Executable =>
        Names
            .Select(name => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null)
        ?? throw new InvalidOperationException("chromium is not installed; ./test.sh installs it (apt-get install chromium).");

    /// <summary>What chromium printed on stderr so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<DevToolsChromium> OpenAsync(string url, int width = 1280, int height = 1800)
    {
        var profile = Directory.CreateTempSubdirectory("leakhound-devtools-");
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            $"--user-data-dir={profile.FullName}",
            // Loopback bypasses a proxy by default; everything else goes to one that does not exist.
            "--proxy-server=127.0.0.1:9",
            "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
            $"--window-size={width},{height}", "--hide-scrollbars",
            url])
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            var portFile = Path.Combine(profile.FullName, "DevToolsActivePort");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            int port = 0;
            while (port == 0)
            {
                if (DateTime.UtcNow > deadline || process.HasExited)
                {
                    throw new InvalidOperationException("chromium did not open its DevTools port: " + log);
                }

                if (File.Exists(portFile) && File.ReadAllLines(portFile) is [var first, ..] && int.TryParse(first, out var p))
                {
                    port = p;
                }
                else
                {
                    await Task.Delay(100);
                }
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            string? socketUrl = null;
            while (socketUrl is null)
            {
                var targets = await http.GetFromJsonAsync<JsonArray>($"http://127.0.0.1:{port}/json/list");
                socketUrl = targets!.OfType<JsonObject>().Where(t => (string?)t["type"] == "page").Select(t => (string?)t["webSocketDebuggerUrl"]).FirstOrDefault();
                if (socketUrl is null)
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new InvalidOperationException("chromium shows no page target");
                    }

                    await Task.Delay(100);
                }
            }

            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(socketUrl), CancellationToken.None);
            return new DevToolsChromium(process, profile, socket, log);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value (by value, as JSON).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result?["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException("page script failed: " + exception.ToJsonString());
        }

        return result?["result"]?["value"];
    }

    /// <summary>Waits until <paramref name="expression"/> is true in the page, or fails with what it last was.</summary>
    public async Task WaitForAsync(string expression, TimeSpan timeout, string describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            JsonNode? value;
            try
            {
                value = await EvaluateAsync(expression);
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                // The page is still loading: its elements are not there yet.
                value = null;
            }

            if (value is JsonValue v && v.TryGetValue<bool>(out var ok) && ok)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var status = await EvaluateAsync("(document.getElementById('lh-status')||{}).textContent || document.location.href");
                throw new TimeoutException($"{describe}: not true after {timeout.TotalSeconds} s; #lh-status: {status}\n{Log}");
            }

            await Task.Delay(250);
        }
    }

    public async Task ScreenshotAsync(string pngPath)
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = false });
        await File.WriteAllBytesAsync(pngPath, Convert.FromBase64String((string)result!["data"]!));
    }

    private async Task<JsonNode?> SendAsync(string method, JsonObject parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var request = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            var node = JsonNode.Parse(message.ToArray());
            if (node?["id"] is { } got && (int)got == id)
            {
                if (node["error"] is { } error)
                {
                    throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
                }

                return node["result"];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or InvalidOperationException)
        {
        }

        _socket.Dispose();
        ChildProcess.Stop(_process);
        _process.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
