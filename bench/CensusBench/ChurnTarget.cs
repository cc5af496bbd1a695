using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CensusBench;

/// <summary>
/// The soak's target (run as a child: <c>CensusBench churn --rate 1000</c>): opens and closes about <c>rate</c>
/// loopback connections a second, so every census round sees a different socket table.
/// </summary>
internal static class ChurnTarget
{
    public static async Task<int> RunAsync(int rate)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(1024);
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using var accepted = await listener.AcceptSocketAsync();
            }
        });

        Console.WriteLine($"ready pid={Environment.ProcessId}");
        var clock = Stopwatch.StartNew();
        long opened = 0;
        while (true)
        {
            using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await client.ConnectAsync(endpoint);
            }

            opened++;
            if (opened >= clock.Elapsed.TotalSeconds * rate)
            {
                await Task.Delay(1);
            }
        }
    }
}
