using System.Diagnostics;
using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Cli.Tests.Serve;

internal static class ServeFixtures
{
    /// <summary>A peer name no browser may treat as markup, and with every character the exposition format escapes.</summary>
    public const string HostilePeer = "<script>document.title='pwned'</script><img src=x onerror=\"window.pwned=1\">\\\n";

    /// <summary>A store of 30 rounds, 10 s apart: CLOSE_WAIT growing by one a round towards a hostile peer, fds against a limit.</summary>
    public static async Task<string> WriteStoreAsync(string path)
    {
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-10);
        await using var store = SqliteStore.OpenForWriting(path);
        await store.WriteEventAsync(new RecordedEvent(t0, EventKind.Start, 4242, "watch of test"), CancellationToken.None);
        for (var i = 0; i < 30; i++)
        {
            var closeWait = 10 + i;
            await store.WriteRoundAsync(new SampleRound(t0.AddSeconds(10 * i), 4242,
            [
                new(SeriesKey.Of(MetricNames.TcpConnections, ("state", "close_wait")), closeWait),
                new(SeriesKey.Of(MetricNames.TcpConnections, ("state", "established")), 5),
                new(SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", HostilePeer), ("state", "close_wait")), closeWait),
                new(SeriesKey.Of(MetricNames.Fds), 40 + closeWait),
                new(SeriesKey.Of(MetricNames.FdLimit), 1024),
            ]), CancellationToken.None);
        }

        return path;
    }

    /// <summary>Appends rounds 10 s apart after the store's last, as a watch still writing it would.</summary>
    public static async Task AppendRoundsAsync(string path, int rounds, double closeWait)
    {
        var last = RecordingReader.Read(path).Series.Max(s => s.Points[^1].Time);
        await using var store = SqliteStore.OpenForWriting(path);
        for (var i = 1; i <= rounds; i++)
        {
            await store.WriteRoundAsync(new SampleRound(last.AddSeconds(10 * i), 4242,
            [
                new(SeriesKey.Of(MetricNames.TcpConnections, ("state", "close_wait")), closeWait),
                new(SeriesKey.Of(MetricNames.TcpConnections, ("state", "established")), 5),
                new(SeriesKey.Of(MetricNames.Fds), 40 + closeWait),
                new(SeriesKey.Of(MetricNames.FdLimit), 1024),
            ]), CancellationToken.None);
        }
    }

    /// <summary>The repository root (where LeakHound.slnx is), for deploy/ files.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LeakHound.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("LeakHound.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The full path of a program on PATH, or null.</summary>
    public static string? Which(string name) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>LeakyService's downstream and a leaking client calling it: CLOSE_WAIT grows by about <paramref name="rate"/> a second.</summary>
    public static async Task<(Process Downstream, Process Client)> StartLeakAsync(double rate)
    {
        var downstream = ChildProcess.StartDll("LeakyService.dll", "downstream", "--close-after", "1s");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await downstream.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("downstream did not start");
        var target = "http://" + line["listening on ".Length..].Trim();
        var client = ChildProcess.StartDll("LeakyService.dll", "client", "--target", target, "--rate", rate.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _ = client.StandardError.ReadToEndAsync();
        _ = client.StandardOutput.ReadToEndAsync();
        return (downstream, client);
    }
}
