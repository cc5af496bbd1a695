using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LeakyService;

/// <summary>
/// The server side of a CLOSE_WAIT leak: clients connect, send a line and hang up, and the server reads to the end
/// but never closes its side, so every accepted socket stays in CLOSE_WAIT. With --fixed it closes at the end of
/// the stream. The clients are a loop in this same process whose sockets are closed at once, so the process holds
/// only its listener and what it accepted: what a census of a leaking server sees.
/// </summary>
internal static class LeakyServer
{
    public static async Task<int> RunAsync(ServerOptions options)
    {
        using var shutdown = new ShutdownSignal();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token);
        if (options.Duration > TimeSpan.Zero)
        {
            stop.CancelAfter(options.Duration);
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(512);
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        Console.Out.WriteLine($"listening on {endpoint}");
        Console.Out.Flush();
        await Console.Error.WriteLineAsync($"server: {options.Rate}/s clients hang up, {(options.Fixed ? "fixed (closed at the end of the stream)" : "never closed (CLOSE_WAIT)")}");

        var kept = new List<Socket>();
        var accepting = AcceptAsync(listener, options.Fixed, kept, stop.Token);
        var clock = Stopwatch.StartNew();
        try
        {
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                var wait = TimeSpan.FromSeconds(i / options.Rate) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop.Token);
                }

                using var client = new TcpClient();
                await client.ConnectAsync(endpoint, stop.Token);
                await client.GetStream().WriteAsync("bye\n"u8.ToArray(), stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await accepting;
        lock (kept)
        {
            kept.ForEach(s => s.Dispose());
        }

        return 0;
    }

    private static async Task AcceptAsync(TcpListener listener, bool fixedServer, List<Socket> kept, CancellationToken token)
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync(token);
                _ = ServeAsync(socket, fixedServer, kept, token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ServeAsync(Socket socket, bool fixedServer, List<Socket> kept, CancellationToken token)
    {
        var buffer = new byte[256];
        try
        {
            while (await socket.ReceiveAsync(buffer, token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
        }

        if (fixedServer)
        {
            socket.Dispose();
            return;
        }

        // The bug: the client is gone, and nobody closes this end.
        lock (kept)
        {
            kept.Add(socket);
        }
    }
}
