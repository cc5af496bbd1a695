using System.Net;
using System.Net.Sockets;

namespace LeakyService;

/// <summary>
/// Holds a known number of TCP sockets in one process, for benchmarks and tests of the census: --pairs loopback
/// connections (both ends in this process), of which --close-wait have their server end closed so the client
/// end sits in CLOSE_WAIT. The listener stays open (one LISTEN socket per address family used), so the process
/// holds exactly 2 × pairs − close-wait + listeners TCP sockets. It does not raise its fd limit; the caller does (ulimit -n).
/// </summary>
internal static class SocketHolder
{
    public static async Task<int> RunAsync(HolderOptions options)
    {
        using var shutdown = new ShutdownSignal();
        _ = (Console.Out, Console.Error); // Open the console streams before the sockets can use up every fd.
        var held = new List<Socket>(options.Pairs * 2);
        try
        {
            // The CLOSE_WAIT share is split between the families in proportion, so both have some.
            var v6CloseWait = options.Pairs == 0 ? 0 : (int)((long)options.CloseWait * options.V6 / options.Pairs);
            MakePairs(IPAddress.Loopback, options.Pairs - options.V6, options.CloseWait - v6CloseWait, held);
            MakePairs(IPAddress.IPv6Loopback, options.V6, v6CloseWait, held);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TooManyOpenSockets)
        {
            var opened = held.Count;
            held.ForEach(s => s.Dispose());
            await Console.Error.WriteLineAsync(
                $"LeakyService: hit the open-file limit after {opened} sockets; raise it first (ulimit -n {(options.Pairs * 2) + 100}).");
            return 1;
        }
        catch (SocketException e)
        {
            await Console.Error.WriteLineAsync($"LeakyService: could not open loopback pairs after {held.Count} sockets: {e.Message}");
            return 1;
        }

        Console.Out.WriteLine($"ready pid={Environment.ProcessId} sockets={held.Count}");
        Console.Out.Flush();
        try
        {
            await Task.Delay(Timeout.Infinite, shutdown.Token);
        }
        catch (OperationCanceledException)
        {
        }

        GC.KeepAlive(held);
        return 0;
    }

    private static void MakePairs(IPAddress loopback, int pairs, int closeWait, List<Socket> held)
    {
        if (pairs == 0)
        {
            return;
        }

        var listener = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        held.Add(listener);
        listener.Bind(new IPEndPoint(loopback, 0));
        listener.Listen(512);
        var endpoint = listener.LocalEndPoint!;
        for (var i = 0; i < pairs; i++)
        {
            var client = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            held.Add(client);
            client.Connect(endpoint);
            var server = listener.Accept();
            if (i < closeWait)
            {
                server.Dispose(); // Our FIN reaches the client end, which nobody closes: CLOSE_WAIT.
            }
            else
            {
                held.Add(server);
            }
        }
    }
}
