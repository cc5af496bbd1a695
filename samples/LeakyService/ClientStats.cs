using System.Globalization;

namespace LeakyService;

/// <summary>
/// Counters of the client, and the list that retains leaked responses: a real retained-reference bug
/// (a cache, a closure, a list of pending work) keeps them reachable, so the GC cannot quietly close them.
/// </summary>
internal sealed class ClientStats(int leakEvery)
{
    private readonly Lock _gate = new();
    private readonly List<HttpResponseMessage> _leaked = [];
    private long _sent;
    private long _ok;
    private long _denied;
    private long _failed;
    private string? _lastError;

    /// <summary>Counts a request as sent; true when its response is to be leaked (every leakEvery-th; never when fixed).</summary>
    public bool Sent()
    {
        var n = Interlocked.Increment(ref _sent);
        return leakEvery > 0 && n % leakEvery == 0;
    }

    public void Retain(HttpResponseMessage response)
    {
        lock (_gate)
        {
            _leaked.Add(response);
        }
    }

    public void Completed(bool authorised) => Interlocked.Increment(ref authorised ? ref _ok : ref _denied);

    public void Failed(Exception error)
    {
        Interlocked.Increment(ref _failed);
        _lastError = error.Message;
    }

    public string StatusLine(TimeSpan elapsed)
    {
        int leaked;
        lock (_gate)
        {
            leaked = _leaked.Count;
        }

        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"client: t={elapsed.TotalSeconds:F0}s sent={Interlocked.Read(ref _sent)} ok={Interlocked.Read(ref _ok)} " +
            $"denied={Interlocked.Read(ref _denied)} failed={Interlocked.Read(ref _failed)} leaked={leaked}");
        return _lastError is { } error ? $"{line} last-error=\"{error}\"" : line;
    }
}
