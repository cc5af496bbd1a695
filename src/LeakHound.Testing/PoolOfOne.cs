using System.Globalization;
using System.Text;

namespace LeakHound.Testing;

/// <summary>
/// Seed 003's "pool of one": a handler with one connection per server and a short wait for it, so code that keeps
/// a connection fails fast on its next request with "connection pool exhausted: probable leak" and, with tracking,
/// who holds the connection. Run the code under test twice (or more) with it.
/// </summary>
public static class PoolOfOne
{
    /// <summary>A handler with one connection per server that waits at most <paramref name="wait"/> (default 2 s) for it.</summary>
    public static HttpMessageHandler CreateHandler(TimeSpan? wait = null) =>
        new PoolOfOneHandler(
            new LeakTrackingHandler(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) }),
            wait ?? TimeSpan.FromSeconds(2));
}

internal sealed class PoolOfOneHandler(HttpMessageHandler inner, TimeSpan wait) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            return await base.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            var uri = request.RequestUri;
            var server = uri is null ? "?" : $"{ConnectionTelemetry.FormatHost(uri.IdnHost)}:{uri.Port}";
            var text = new StringBuilder().Append(CultureInfo.InvariantCulture,
                $"connection pool exhausted: probable leak. {request.Method} {uri} got no connection to {server} within {wait.TotalSeconds:0.###} s; the pool has one connection per server, so an earlier response to {server} was probably never disposed.");
            var holders = LeakTracking.Outstanding().Where(a => a.Kind == LeakKind.Http && string.Equals(a.Target, server, StringComparison.OrdinalIgnoreCase)).ToList();
            foreach (var holder in holders)
            {
                text.Append(CultureInfo.InvariantCulture, $"\nHeld by a response not disposed, taken on thread {holder.ThreadId} at {holder.At:HH:mm:ss.fff}:\n").Append(holder.Stack.TrimEnd('\n'));
            }

            throw new ConnectionPoolExhaustedException(text.ToString(), e);
        }
    }
}
