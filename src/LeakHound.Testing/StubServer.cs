using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LeakHound.Testing;

/// <summary>
/// A small in-process HTTP/1.1 server on 127.0.0.1 and a free port, for tests: canned responses per route
/// (status, headers, body — including a 403 with an HTML page as a load balancer sends), delays, and closing or
/// resetting the connection. Seed 002's mocks answered 403 with no body, which hid the leak; the real load balancer
/// answered with an HTML page. <see cref="LoadBalancerForbiddenPage"/> is such a page.
/// <code>
/// await using var server = StubServer.Start();
/// server.On("GET", "/session").Respond(403).WithHtml(StubServer.LoadBalancerForbiddenPage);
/// var client = new HttpClient { BaseAddress = server.BaseAddress };
/// </code>
/// </summary>
public sealed class StubServer : IAsyncDisposable
{
    /// <summary>A 403 page like the one nginx or an AWS ALB sends in front of an application.</summary>
    public const string LoadBalancerForbiddenPage =
        "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<StubRoute> _routes = [];
    private readonly ConcurrentDictionary<int, TcpClient> _connections = new();
    private readonly Task _accepting;
    private int _connectionIds;
    private long _requests;
    private long _accepted;

    private StubServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        BaseAddress = new Uri($"http://127.0.0.1:{Port}/");
        _accepting = AcceptLoopAsync();
    }

    /// <summary>Starts a server; unmatched requests get 404 with an empty body.</summary>
    public static StubServer Start() => new();

    public int Port { get; }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; }

    /// <summary>"127.0.0.1:PORT", as LeakHound names the server in a failure message.</summary>
    public string Authority => $"127.0.0.1:{Port}";

    /// <summary>Requests received so far.</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>TCP connections accepted so far.</summary>
    public long ConnectionCount => Interlocked.Read(ref _accepted);

    /// <summary>A route for a path, any method. Later routes take precedence over earlier ones.</summary>
    public StubResponse On(string path) => On(null, path);

    /// <summary>A route for a method and path ("GET", "/session"); the query string is ignored.</summary>
    public StubResponse On(string? method, string path)
    {
        var response = new StubResponse();
        lock (_routes)
        {
            _routes.Insert(0, new StubRoute(method, path, response));
        }

        return response;
    }

    /// <summary>The response to every request no other route matches.</summary>
    public StubResponse OnAny() => On(null, "*");

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            var id = Interlocked.Increment(ref _connectionIds);
            _connections[id] = client;
            _ = Task.Run(() => ServeAsync(id, client));
        }
    }

    private async Task ServeAsync(int id, TcpClient client)
    {
        try
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            var reader = new RequestReader(stream);
            while (!_stop.IsCancellationRequested)
            {
                var request = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                if (request is null)
                {
                    return;
                }

                Interlocked.Increment(ref _requests);
                var response = Match(request.Method, request.Path);
                if (response.DelayBy > TimeSpan.Zero)
                {
                    await Task.Delay(response.DelayBy, _stop.Token).ConfigureAwait(false);
                }

                switch (response.Ending)
                {
                    case StubEnding.Reset:
                        // Close(0) sets a zero linger and closes without the shutdown a stream's Dispose would do: RST, not FIN.
                        client.Client.Close(0);
                        return;
                    case StubEnding.CloseWithoutResponse:
                        return;
                }

                var close = response.Ending == StubEnding.CloseAfterResponse || request.WantsClose;
                await stream.WriteAsync(response.Render(close), _stop.Token).ConfigureAwait(false);
                if (close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _connections.TryRemove(id, out _);
            client.Dispose();
        }
    }

    private StubResponse Match(string method, string path)
    {
        lock (_routes)
        {
            foreach (var route in _routes)
            {
                if ((route.Method is null || string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase))
                    && (route.Path == "*" || string.Equals(route.Path, path, StringComparison.Ordinal)))
                {
                    return route.Response;
                }
            }
        }

        return StubResponse.NotFound;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var client in _connections.Values)
        {
            client.Dispose();
        }

        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private sealed record StubRoute(string? Method, string Path, StubResponse Response);

    private sealed record StubRequest(string Method, string Path, bool WantsClose);

    /// <summary>Reads HTTP/1.1 requests (head, then a Content-Length or chunked body) from one connection.</summary>
    private sealed class RequestReader(NetworkStream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<StubRequest?> ReadAsync(CancellationToken cancellationToken)
        {
            var head = await ReadHeadAsync(cancellationToken).ConfigureAwait(false);
            if (head is null)
            {
                return null;
            }

            var lines = head.Split("\r\n");
            var parts = lines[0].Split(' ');
            if (parts.Length < 2)
            {
                return null;
            }

            long length = 0;
            bool chunked = false, close = false;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    length = long.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = true;
                }
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && value.Equals("close", StringComparison.OrdinalIgnoreCase))
                {
                    close = true;
                }
            }

            if (chunked)
            {
                while (true)
                {
                    var sizeLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
                    if (sizeLine is null)
                    {
                        return null;
                    }

                    var size = Convert.ToInt64(sizeLine.Split(';')[0].Trim(), 16);
                    if (!await SkipAsync(size + 2, cancellationToken).ConfigureAwait(false))
                    {
                        return null;
                    }

                    if (size == 0)
                    {
                        break;
                    }
                }
            }
            else if (!await SkipAsync(length, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var target = parts[1];
            var query = target.IndexOf('?', StringComparison.Ordinal);
            return new StubRequest(parts[0], query >= 0 ? target[..query] : target, close);
        }

        private async Task<string?> ReadHeadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
                if (end >= 0)
                {
                    var head = Encoding.ASCII.GetString(_buffer, _start, end);
                    _start += end + 4;
                    return head;
                }

                if (!await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }
            }
        }

        private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (end >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, end);
                    _start += end + 2;
                    return line;
                }

                if (!await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }
            }
        }

        private async Task<bool> SkipAsync(long count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                var take = (int)Math.Min(count, _end - _start);
                _start += take;
                count -= take;
            }

            return true;
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new IOException("StubServer: request head larger than 16 KiB.");
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            _end += read;
            return read > 0;
        }
    }
}

internal enum StubEnding
{
    KeepAlive,
    CloseAfterResponse,
    CloseWithoutResponse,
    Reset,
}

/// <summary>A canned response, configured fluently: <c>Respond(403).WithHtml(page).WithHeader("Server", "nginx")</c>.</summary>
public sealed class StubResponse
{
    internal static readonly StubResponse NotFound = new StubResponse().Respond(404);

    private readonly List<(string Name, string Value)> _headers = [];
    private volatile byte[]? _rendered;
    private volatile byte[]? _renderedClose;
    private int _status = 200;
    private byte[] _body = [];
    private string? _contentType;

    internal TimeSpan DelayBy { get; private set; }

    internal StubEnding Ending { get; private set; }

    /// <summary>The status code (200 unless set).</summary>
    public StubResponse Respond(int status)
    {
        _status = status;
        return Changed();
    }

    /// <summary>The status code and a body.</summary>
    public StubResponse Respond(int status, string body, string contentType = "text/plain; charset=utf-8") => Respond(status).WithBody(body, contentType);

    public StubResponse WithBody(string body, string contentType = "text/plain; charset=utf-8") => WithBody(Encoding.UTF8.GetBytes(body), contentType);

    public StubResponse WithBody(byte[] body, string contentType = "application/octet-stream")
    {
        _body = body;
        _contentType = contentType;
        return Changed();
    }

    public StubResponse WithHtml(string html) => WithBody(html, "text/html");

    public StubResponse WithJson(string json) => WithBody(json, "application/json");

    public StubResponse WithHeader(string name, string value)
    {
        _headers.Add((name, value));
        return Changed();
    }

    /// <summary>Waits before answering (or before closing or resetting).</summary>
    public StubResponse WithDelay(TimeSpan delay)
    {
        DelayBy = delay;
        return this;
    }

    /// <summary>Answers with "Connection: close" and closes the connection.</summary>
    public StubResponse ThenClose()
    {
        Ending = StubEnding.CloseAfterResponse;
        return Changed();
    }

    /// <summary>Closes the connection (FIN) without answering.</summary>
    public StubResponse CloseConnection()
    {
        Ending = StubEnding.CloseWithoutResponse;
        return this;
    }

    /// <summary>Resets the connection (RST) without answering.</summary>
    public StubResponse ResetConnection()
    {
        Ending = StubEnding.Reset;
        return this;
    }

    private StubResponse Changed()
    {
        _rendered = null;
        _renderedClose = null;
        return this;
    }

    internal byte[] Render(bool close)
    {
        var cached = close ? _renderedClose : _rendered;
        if (cached is not null)
        {
            return cached;
        }

        var head = new StringBuilder().Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {_status} {Reason(_status)}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Date: {DateTimeOffset.UtcNow:R}\r\n");
        foreach (var (name, value) in _headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (_contentType is not null)
        {
            head.Append("Content-Type: ").Append(_contentType).Append("\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {_body.Length}\r\n");
        if (close)
        {
            head.Append("Connection: close\r\n");
        }

        head.Append("\r\n");
        var bytes = Encoding.ASCII.GetBytes(head.ToString()).Concat(_body).ToArray();
        if (close)
        {
            _renderedClose = bytes;
        }
        else
        {
            _rendered = bytes;
        }

        return bytes;
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => Enum.IsDefined((HttpStatusCode)status) ? ((HttpStatusCode)status).ToString() : "Status",
    };
}
