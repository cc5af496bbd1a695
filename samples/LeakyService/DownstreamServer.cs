using System.Net;
using System.Net.Sockets;

namespace LeakyService;

/// <summary>
/// A raw TCP server on 127.0.0.1 that answers every HTTP/1.1 request with <see cref="ErrorPage"/>, keeps the
/// connection alive, and closes it from its side once it has been idle for --close-after (a load balancer's
/// keep-alive timeout). A client that never disposes its response is left holding the socket in CLOSE_WAIT.
/// </summary>
internal static class DownstreamServer
{
    public static async Task<int> RunAsync(DownstreamOptions options)
    {
        using var shutdown = new ShutdownSignal();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, options.Port));
        }
        catch (SocketException e)
        {
            await Console.Error.WriteLineAsync($"LeakyService: cannot listen on 127.0.0.1:{options.Port}: {e.Message}");
            return 1;
        }

        listener.Listen(1024);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Console.Out.WriteLine($"listening on 127.0.0.1:{port}");
        Console.Out.Flush();

        var token = shutdown.Token;
        using var client = options.Via is null ? null : new HttpClient();
        try
        {
            while (!token.IsCancellationRequested)
            {
                var connection = await listener.AcceptAsync(token);
                _ = ServeAsync(connection, options.CloseAfter, client, options.Via, token);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }

    private static async Task ServeAsync(Socket connection, TimeSpan closeAfter, HttpClient? client, Uri? via, CancellationToken token)
    {
        using var _ = connection;
        var buffer = new byte[16 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                // Idle keep-alive timeout: no complete request within closeAfter → close from our side.
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
                idle.CancelAfter(closeAfter);
                int end;
                while ((end = HeadersEnd(buffer.AsSpan(0, filled))) < 0)
                {
                    if (filled == buffer.Length)
                    {
                        return; // Headers larger than we care to read: drop the connection.
                    }

                    var read = await connection.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, idle.Token);
                    if (read == 0)
                    {
                        return; // The client closed first: nothing leaks.
                    }

                    filled += read;
                }

                // Requests carry no body here (GET); keep any pipelined bytes after the headers.
                Buffer.BlockCopy(buffer, end, buffer, 0, filled - end);
                filled -= end;
                if (client is not null)
                {
                    using var response = await client.GetAsync(via, token);
                }

                await connection.SendAsync(ErrorPage.Response, SocketFlags.None, token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (HttpRequestException)
        {
        }
    }

    /// <summary>The index just past "\r\n\r\n", or -1 when the headers are not complete yet.</summary>
    private static int HeadersEnd(ReadOnlySpan<byte> data)
    {
        var at = data.IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : at + 4;
    }
}
