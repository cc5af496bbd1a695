using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace LeakHound.Testing;

/// <summary>
/// Records the stack of each response not yet disposed (nor read to its end), so a leaked HTTP connection's failure
/// message names the line that took it. With <see cref="LeakTracking.Enabled"/> false it passes requests through.
/// </summary>
public sealed class LeakTrackingHandler : DelegatingHandler
{
    public LeakTrackingHandler()
    {
    }

    public LeakTrackingHandler(HttpMessageHandler innerHandler) : base(innerHandler)
    {
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        LeakTracking.Enabled ? SendTrackedAsync(request, cancellationToken) : base.SendAsync(request, cancellationToken);

    private async Task<HttpResponseMessage> SendTrackedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Taken before the first await, while the caller's frames are still on the stack.
        var stack = new StackTrace(1, fNeedFileInfo: true);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var uri = request.RequestUri;
        var target = uri is null ? "?" : $"{ConnectionTelemetry.FormatHost(uri.IdnHost)}:{uri.Port}";
        var inner = response.Content;
        response.Content = new TrackedContent(inner, LeakTracking.Record(LeakKind.Http, target, stack, holder: inner));
        return response;
    }
}

/// <summary>A response body that releases its tracking record when disposed or read to the end.</summary>
internal sealed class TrackedContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly TrackingHandle _handle;

    public TrackedContent(HttpContent inner, TrackingHandle handle)
    {
        _inner = inner;
        _handle = handle;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await _inner.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        _handle.Release();
    }

    protected override async Task<Stream> CreateContentReadStreamAsync() =>
        new TrackedStream(await _inner.ReadAsStreamAsync().ConfigureAwait(false), _handle);

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new TrackedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _handle);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle.Release();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A read-only pass-through stream that releases the record at the end of the body or on dispose.</summary>
internal sealed class TrackedStream(Stream inner, TrackingHandle handle) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Ended(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Ended(inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Ended(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Ended(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    private int Ended(int read)
    {
        if (read == 0)
        {
            handle.Release();
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            handle.Release();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        handle.Release();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>LeakHound.Testing for <c>IHttpClientFactory</c>.</summary>
public static class LeakTrackingHttpClientBuilderExtensions
{
    /// <summary>Adds <see cref="LeakTrackingHandler"/> to a named or typed client: <c>services.AddHttpClient&lt;Api&gt;().AddLeakTracking()</c>.</summary>
    public static IHttpClientBuilder AddLeakTracking(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler(() => new LeakTrackingHandler());
}
