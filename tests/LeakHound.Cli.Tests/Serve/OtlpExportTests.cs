using System.Net;
using System.Text;

namespace LeakHound.Cli.Tests.Serve;

/// <summary><c>--otlp</c>: OpenTelemetry .NET's real OTLP exporter posts the gauges to a collector (here a loopback HTTP listener).</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Serve_exports_the_latest_values_by_otlp()
    {
        var port = ServeFixtures.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();

        using var holder = await SocketHolder.StartAsync(pairs: 6, closeWait: 3);
        using var dir = new TempDir();
        using var serve = await ServeProcess.StartAsync("--pid", holder.Pid.ToString(), "--interval", "1s", "--out", dir.File("otlp.db"),
            "--otlp", $"http://127.0.0.1:{port}/v1/metrics");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var context = await listener.GetContextAsync().WaitAsync(cts.Token);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, cts.Token);
            var path = context.Request.Url!.AbsolutePath;
            var contentType = context.Request.ContentType;
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();

            Assert.Equal("/v1/metrics", path);
            Assert.Equal("application/x-protobuf", contentType);

            // OTLP protobuf carries names and attribute values as plain UTF-8 strings.
            var text = Encoding.UTF8.GetString(body.ToArray());
            if (text.Contains("leakhound.process.tcp.connections", StringComparison.Ordinal))
            {
                Assert.Contains("close_wait", text);
                Assert.Contains("leakhound.process.fds", text);
                Assert.Contains(holder.Pid.ToString(), text);
                Assert.Contains("service.name", text);
                break;
            }
        }
    }
}
