using System.Diagnostics;
using System.Net;

namespace LeakyService;

/// <summary>
/// Seed 002's bug in C#: call a downstream at a steady rate, look only at the status code, and never dispose
/// the response of every Nth request. With ResponseHeadersRead the unread HTML body keeps that connection out
/// of the pool; the downstream closes it later, and the socket stays in CLOSE_WAIT for as long as the response
/// is referenced. With --fixed every response is disposed and connections are reused.
/// </summary>
internal static class LeakyClient
{
    private static readonly TimeSpan StatusEvery = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(ClientOptions options)
    {
        using var shutdown = new ShutdownSignal();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token);
        if (options.Duration > TimeSpan.Zero)
        {
            stop.CancelAfter(options.Duration);
        }

        // Defaults on purpose: MaxConnectionsPerServer is unlimited, so a leak grows sockets instead of blocking.
        using var handler = new SocketsHttpHandler();
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        var stats = new ClientStats(options.Fixed ? 0 : options.LeakEvery);
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        var nextStatus = StatusEvery;
        await Console.Error.WriteLineAsync(
            $"client: {options.Rate}/s to {options.Target}, " +
            (options.Fixed ? "fixed (every response disposed)" : $"leaking every {options.LeakEvery}. response"));

        try
        {
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                var due = TimeSpan.FromSeconds(i / options.Rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop.Token);
                }

                inFlight.Add(CallAsync(client, options.Target, stats, stats.Sent(), stop.Token));
                inFlight.RemoveAll(t => t.IsCompleted);
                if (clock.Elapsed >= nextStatus)
                {
                    await Console.Error.WriteLineAsync(stats.StatusLine(clock.Elapsed));
                    nextStatus += StatusEvery;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(inFlight);
        await Console.Error.WriteLineAsync(stats.StatusLine(clock.Elapsed) + " (stopped)");
        GC.KeepAlive(stats);
        return 0;
    }

    private static async Task CallAsync(HttpClient client, Uri target, ClientStats stats, bool leak, CancellationToken token)
    {
        try
        {
            var response = await client.GetAsync(target, HttpCompletionOption.ResponseHeadersRead, token);
            var authorised = response.StatusCode == HttpStatusCode.OK;
            if (leak)
            {
                stats.Retain(response); // The bug: only the status code was wanted, so nobody disposes it.
            }
            else
            {
                response.Dispose();
            }

            stats.Completed(authorised);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            stats.Failed(e);
        }
    }
}
