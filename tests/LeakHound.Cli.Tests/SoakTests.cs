using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LeakHound.Sources.Process;

namespace LeakHound.Cli.Tests;

/// <summary>
/// LeakHound does not leak: a watch at 100 ms on a process opening and closing about a thousand connections a second,
/// with LeakHound's own census of the watcher. The ten-minute run is bench/CensusBench's <c>soak</c> mode; this is
/// its bounded form for CI (LEAKHOUND_SOAK_SECONDS, default 40).
/// </summary>
[Trait("Category", "Long")]
public sealed class SoakTests
{
    [Fact]
    public async Task The_watcher_keeps_its_fds_threads_and_sockets_flat()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("LEAKHOUND_SOAK_SECONDS"), out var s) ? s : 40;
        using var dir = new TempDir();
        using var churn = new CancellationTokenSource();
        var opened = Churn(churn.Token);
        using var watch = ChildProcess.StartDll("leakhound.dll", "watch", "--pid", Environment.ProcessId.ToString(), "--interval", "100ms", "--out", dir.File("soak.db"));
        var drain = watch.StandardOutput.ReadToEndAsync();
        var inspector = ProcessInspectors.ForCurrentOs();
        var samples = new List<ProcessCensus>();
        try
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                if (watch.HasExited)
                {
                    Assert.Fail("the watcher died: " + await watch.StandardError.ReadToEndAsync());
                }

                samples.Add(inspector.Take(watch.Id));
            }
        }
        finally
        {
            await churn.CancelAsync();
            watch.Kill();
            await watch.WaitForExitAsync();
            await drain;
        }

        var churned = await opened;
        Assert.True(churned > seconds * 300, $"only {churned} connections churned in {seconds} s");

        // After ten seconds of start-up, nothing of the watcher's may creep.
        var steady = samples.Skip(5).ToList();
        Assert.InRange(steady.Max(c => c.Fds) - steady.Min(c => c.Fds), 0, 6);
        Assert.InRange(steady.Max(c => c.Threads) - steady[0].Threads, -10, 4);
        Assert.All(steady, c => Assert.Equal(0, c.TcpTotal));
        Assert.InRange((steady[^1].RssBytes - steady[0].RssBytes) / 1048576.0, -64, 24);
    }

    /// <summary>
    /// Opens and closes about a thousand loopback connections a second until stopped. Blocking sockets on threads of
    /// their own, on the default scheduler: on loopback the async calls complete synchronously, and such a loop on
    /// the test framework's limited synchronization context would hold up the test itself.
    /// </summary>
    private static Task<long> Churn(CancellationToken stop)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(1024);
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        var acceptor = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    using var accepted = listener.AcceptSocket();
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // The listener was stopped.
            }
        }) { IsBackground = true };
        acceptor.Start();

        return Task.Factory.StartNew(() =>
        {
            long opened = 0;
            var clock = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
                {
                    client.Connect(endpoint);
                }

                if (++opened >= clock.Elapsed.TotalSeconds * 1000)
                {
                    Thread.Sleep(1);
                }
            }

            listener.Stop();
            acceptor.Join();
            return opened;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }
}
