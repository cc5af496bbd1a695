using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LeakHound.Tests.Alerting;

/// <summary>
/// A real SMTP listener on loopback that accepts every message (RFC 5321 without extensions) and keeps the raw
/// DATA of each, so tests count what really arrived.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public TestSmtpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<string> Messages { get; } = new();

    public async Task<string> WaitForMessageAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Messages.FirstOrDefault(match) is { } message)
            {
                return message;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no matching message arrived in {timeout}; {Messages.Count} arrived");
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 test SMTP ready");
            while (await reader.ReadLineAsync() is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                    case "HELO":
                        await writer.WriteLineAsync("250 test");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with .");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync() is { } body && body != ".")
                        {
                            data.AppendLine(body.StartsWith("..", StringComparison.Ordinal) ? body[1..] : body);
                        }

                        Messages.Enqueue(data.ToString());
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 ok");
                        break;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

/// <summary>A real HTTP listener on loopback that records each request body and answers with the status it is told to.</summary>
public sealed class TestWebhook : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public TestWebhook()
    {
        // HttpListener cannot bind port 0: find a free port first.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    public int Status { get; set; } = 200;

    public ConcurrentQueue<string> Bodies { get; } = new();

    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    private async Task ServeAsync()
    {
        try
        {
            while (_listener.IsListening)
            {
                var context = await _listener.GetContextAsync();
                Interlocked.Increment(ref _requests);
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    Bodies.Enqueue(await reader.ReadToEndAsync());
                }

                context.Response.StatusCode = Status;
                context.Response.Close();
            }
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
