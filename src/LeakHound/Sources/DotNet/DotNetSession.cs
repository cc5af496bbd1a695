using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using LeakHound.Samples;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace LeakHound.Sources.DotNet;

/// <summary>
/// An EventPipe session on a running .NET process, as <c>dotnet-counters</c> opens one: the
/// <c>System.Diagnostics.Metrics</c> provider for HttpClient's, Npgsql's and MySqlConnector's instruments, and the
/// EventCounters of Microsoft.Data.SqlClient and older Npgsql. A background thread parses the stream and keeps the
/// latest value of every series; <see cref="Latest"/> never blocks on the target.
/// <para>
/// <c>http.client.open_connections</c> is an UpDownCounter: a listener from outside sees the connections opened and
/// closed since it attached, not the ones that were already open. A before/after comparison must therefore keep one
/// session open across both readings. Database pools are observed (absolute) values.
/// </para>
/// </summary>
public sealed class DotNetSession : IDisposable
{
    public const string MetricsProvider = "System.Diagnostics.Metrics";

    /// <summary>TimeSeriesValues: the published values, CollectionStart/Stop and errors.</summary>
    private const long TimeSeriesValuesKeyword = 0x2;

    private readonly string _sessionId;
    private readonly bool _meters;
    private readonly ConcurrentDictionary<(string Source, string Instrument, string Tags), (RawMeasurement Value, long At)> _latest = new();
    private readonly ConcurrentQueue<string> _notes = new();
    private readonly HashSet<string> _noted = [];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly DiagnosticsClient _client;
    private readonly EventPipeSession _session;
    private readonly EventPipeEventSource _source;
    private readonly Thread _reader;
    private long _firstReadingTicks = -1;
    private int _collections;
    private volatile string? _endReason;
    private bool _disposed;

    private DotNetSession(int pid, string? runtime, TimeSpan refresh, DiagnosticsClient client, EventPipeSession session, string sessionId, bool meters)
    {
        _sessionId = sessionId;
        _meters = meters;
        Pid = pid;
        RuntimeVersion = runtime;
        RefreshInterval = refresh;
        _client = client;
        _session = session;
        _source = new EventPipeEventSource(session.EventStream);
        _source.Dynamic.All += OnEvent;
        _reader = new Thread(Read) { IsBackground = true, Name = $"leakhound eventpipe {pid}" };
        _reader.Start();
    }

    public int Pid { get; }

    /// <summary>The runtime version the target loaded (e.g. <c>10.0.0</c>), when it could be read.</summary>
    public string? RuntimeVersion { get; }

    public TimeSpan RefreshInterval { get; }

    /// <summary>True once the stream ended: the target exited, or stopped the session.</summary>
    public bool HasEnded => _endReason is not null;

    public string? EndReason => _endReason;

    /// <summary>How long after the session started the first interval's values arrived, once they have.</summary>
    public TimeSpan? TimeToFirstReading => Interlocked.Read(ref _firstReadingTicks) is var t and >= 0 ? TimeSpan.FromTicks(t) : null;

    /// <summary>Intervals the target has reported so far.</summary>
    public int Collections => Volatile.Read(ref _collections);

    /// <summary>
    /// Attaches to <paramref name="pid"/>; values are refreshed every <paramref name="refreshInterval"/> (1 s at
    /// least). Throws a <see cref="DotNetAttachException"/> with one clear line when the process cannot be read.
    /// </summary>
    public static DotNetSession Start(int pid, TimeSpan refreshInterval) => Start(pid, refreshInterval, meters: true, eventCounters: true);

    internal static DotNetSession Start(int pid, TimeSpan refreshInterval, bool meters, bool eventCounters)
    {
        DotNetProcesses.CheckAttachable(pid);
        var runtime = DotNetProcesses.RuntimeVersion(pid);
        var major = DotNetProcesses.Major(runtime);
        var refresh = TimeSpan.FromSeconds(Math.Clamp(Math.Round(refreshInterval.TotalSeconds), 1, 60));
        var seconds = refresh.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        var notes = new List<string>();
        if (major is < 6 && meters)
        {
            meters = false;
            notes.Add($"PID {pid} runs .NET {runtime}, which has no System.Diagnostics.Metrics (.NET 6 and later): reading EventCounters only (SqlClient, older Npgsql); HttpClient connections need .NET 8.");
        }
        else if (major is 6 or 7)
        {
            notes.Add($"PID {pid} runs .NET {runtime}: HttpClient publishes its connections (http.client.open_connections) from .NET 8 on, so only database pools can be read.");
        }

        var providers = new List<EventPipeProvider>();
        if (meters)
        {
            providers.Add(new EventPipeProvider(MetricsProvider, EventLevel.Informational, TimeSeriesValuesKeyword, new Dictionary<string, string>
            {
                ["SessionId"] = "", // replaced below with this session's id
                ["Metrics"] = DotNetSeries.MetricsSpec(),
                ["RefreshInterval"] = seconds,
                ["MaxTimeSeries"] = "1000",
                ["MaxHistograms"] = "20",
                ["ClientId"] = Guid.NewGuid().ToString(),
            }));
        }

        if (eventCounters)
        {
            // Level Critical with no keywords: the counters (written at LogAlways) and nothing of the providers' own
            // events (Npgsql writes one per command at Informational).
            foreach (var name in new[] { DotNetSeries.SqlClientEventSource, DotNetSeries.NpgsqlSource })
            {
                providers.Add(new EventPipeProvider(name, EventLevel.Critical, 0, new Dictionary<string, string> { ["EventCounterIntervalSec"] = seconds }));
            }
        }

        var client = new DiagnosticsClient(pid);
        EventPipeSession session;
        var sessionId = Guid.NewGuid().ToString();
        if (meters)
        {
            providers[0].Arguments!["SessionId"] = sessionId;
        }

        try
        {
            session = StartBounded(ref client, pid, providers);
        }
        catch (Exception e) when (e is DiagnosticsClientException or IOException or TimeoutException or UnauthorizedAccessException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            if (!DotNetProcesses.IsRunning(pid))
            {
                throw new Process.ProcessGoneException(pid, e);
            }

            var reason = e is UnauthorizedAccessException || e.InnerException is UnauthorizedAccessException
                ? "permission denied on its diagnostics socket (run leakhound as the process's user, or as root)"
                : e.Message;
            throw new DotNetAttachException($"Cannot start an EventPipe session on PID {pid} ({DotNetProcesses.NameOf(pid)}): {reason}", e);
        }

        var result = new DotNetSession(pid, runtime, refresh, client, session, sessionId, meters);
        foreach (var note in notes)
        {
            result._notes.Enqueue(note);
        }

        return result;
    }

    /// <summary>
    /// Waits until the target has reported <paramref name="intervals"/> more intervals (or the session ended, or the
    /// timeout passed). Returns true when it has.
    /// </summary>
    public async Task<bool> WaitForIntervalsAsync(int intervals, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var target = Collections + intervals;
        var until = _clock.Elapsed + timeout;
        while (Collections < target)
        {
            if (HasEnded || _clock.Elapsed >= until)
            {
                return Collections >= target;
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The latest value of every series, as LeakHound samples; a series not refreshed for three intervals is dropped.</summary>
    public List<Sample> Latest()
    {
        var horizon = _clock.ElapsedTicks - Stopwatch.Frequency * (long)(3 * RefreshInterval.TotalSeconds + 2);
        return DotNetSeries.ToSamples(_latest.Values.Where(v => v.At >= horizon).Select(v => v.Value));
    }

    /// <summary>Things worth telling the user (once each), since the last call.</summary>
    public List<string> TakeNotes()
    {
        var notes = new List<string>();
        while (_notes.TryDequeue(out var note))
        {
            notes.Add(note);
        }

        return notes;
    }

    private void Read()
    {
        try
        {
            _source.Process();
            _endReason = "the session ended";
        }
        catch (Exception e)
        {
            _endReason = DotNetProcesses.IsRunning(Pid) ? $"the session failed: {e.Message}" : "the process exited";
            return;
        }

        if (!DotNetProcesses.IsRunning(Pid))
        {
            _endReason = "the process exited";
        }
    }

    private void OnEvent(TraceEvent data)
    {
        try
        {
            if (data.ProviderName == MetricsProvider)
            {
                OnMetricsEvent(data);
            }
            else if (data.EventName == "EventCounters")
            {
                OnEventCounters(data);
            }
        }
        catch (Exception e) when (e is InvalidCastException or KeyNotFoundException or FormatException or ArgumentException or NullReferenceException)
        {
            Note("payload", $"an event from PID {Pid} could not be read ({data.ProviderName}/{data.EventName}): {e.Message}");
        }
    }

    private void OnMetricsEvent(TraceEvent data)
    {
        var name = data.EventName;
        if (name == "MultipleSessionsNotSupportedError")
        {
            Note(name, $"another tool (dotnet-counters, dotnet-monitor, another leakhound) is reading PID {Pid}'s metrics: HttpClient and pool meters are unavailable until it stops; EventCounters go on.");
            MarkReading(interval: false);
            return;
        }

        if (Text(data, "sessionId") != _sessionId)
        {
            return;
        }

        switch (name)
        {
            case "CounterRateValuePublished":
            case "UpDownCounterRateValuePublished":
            {
                // .NET 8+ publishes the counter's value; before that only the rate over the interval.
                var value = DotNetSeries.ParseNumber(Text(data, "value"));
                Store(data, double.IsNaN(value) ? DotNetSeries.ParseNumber(Text(data, "rate")) : value);
                break;
            }

            case "GaugeValuePublished":
                Store(data, DotNetSeries.ParseNumber(Text(data, "lastValue")));
                break;
            case "HistogramValuePublished":
                Store(data, DotNetSeries.Percentile95(Text(data, "quantiles"), data.PayloadByName("count") is int count ? count : 0));
                break;
            case "CollectionStop":
            case "Collection/Stop": // TraceEvent names it by its opcode
                MarkReading();
                break;
            case "Error":
                Note(name + Text(data, "errorMessage"), $"PID {Pid}'s metrics reported an error: {FirstLine(Text(data, "errorMessage"))}");
                break;
            case "TimeSeriesLimitReached":
                Note(name, $"PID {Pid} has more than 1,000 series of the instruments read: some are left out.");
                break;
            case "ObservableInstrumentCallbackError":
                Note(name, $"an observable instrument of PID {Pid} failed: {FirstLine(Text(data, "errorMessage"))}");
                break;
            default:
                break;
        }
    }

    private void Store(TraceEvent data, double value)
    {
        var measurement = new RawMeasurement(Text(data, "meterName"), Text(data, "instrumentName"), Text(data, "tags"), value);
        _latest[(measurement.Source, measurement.Instrument, measurement.Tags)] = (measurement, _clock.ElapsedTicks);
    }

    private void OnEventCounters(TraceEvent data)
    {
        if (data.PayloadValue(0) is not IDictionary<string, object> outer)
        {
            return;
        }

        var payload = outer.TryGetValue("Payload", out var inner) && inner is IDictionary<string, object> fields ? fields : outer;
        var counter = payload.TryGetValue("Name", out var n) ? n as string : null;
        if (counter is null)
        {
            return;
        }

        var display = payload.TryGetValue("DisplayName", out var d) ? d as string ?? "" : "";
        var isSum = payload.TryGetValue("CounterType", out var type) && type as string == "Sum";
        var raw = payload.TryGetValue(isSum ? "Increment" : "Mean", out var v) ? v : null;
        var value = Convert.ToDouble(raw, CultureInfo.InvariantCulture);
        var measurement = new RawMeasurement(data.ProviderName, counter, display, value, FromEventCounter: true);
        _latest[(measurement.Source, measurement.Instrument, measurement.Tags)] = (measurement, _clock.ElapsedTicks);
        // With meters, an interval ends at CollectionStop; without, each counter is the best sign of one.
        MarkReading(interval: !_meters);
    }

    private void MarkReading(bool interval = true)
    {
        Interlocked.CompareExchange(ref _firstReadingTicks, _clock.Elapsed.Ticks, -1);
        if (interval)
        {
            Interlocked.Increment(ref _collections);
        }
    }

    private void Note(string key, string text)
    {
        lock (_noted)
        {
            if (!_noted.Add(key))
            {
                return;
            }
        }

        _notes.Enqueue(text);
    }

    private static string Text(TraceEvent data, string field) => data.PayloadByName(field) as string ?? "";

    /// <summary>
    /// Starts the session with a deadline. A runtime can refuse the connection for a moment (its diagnostics socket
    /// exists before it listens, or an earlier process with the same PID left one behind) or leave a request
    /// unanswered while it starts up: retry on a fresh connection, then the caller hears why.
    /// </summary>
    private static EventPipeSession StartBounded(ref DiagnosticsClient client, int pid, List<EventPipeProvider> providers)
    {
        var deadline = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            // Bounded: a runtime that is suspended or wedged would otherwise keep the caller waiting forever.
            using var timeout = new CancellationTokenSource(StartTimeout);
            try
            {
                // On the thread pool: called from a context that allows few threads (a test framework's), blocking here
                // while the client's continuations wait for that same context would stall until the timeout.
                var attach = client;
                return Task.Run(() => attach.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, timeout.Token), timeout.Token)
                    .GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is OperationCanceledException or ServerNotAvailableException
                && attempt < 8 && deadline.Elapsed < StartDeadline - StartTimeout && DotNetProcesses.IsRunning(pid))
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(250 * attempt));
                client = new DiagnosticsClient(pid);
            }
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!HasEnded)
        {
            try
            {
                // Stop asks the runtime over IPC and waits for its answer; a busy or dying runtime may never give one.
                // Disposing the session below closes the stream, which ends the wait in any case.
                var stop = Task.Run(_session.Stop);
                if (!stop.Wait(StopTimeout))
                {
                    _ = stop.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                }
            }
            catch (AggregateException e) when (e.InnerException is DiagnosticsClientException or IOException or TimeoutException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                // As below, through the task.
            }
            catch (Exception e) when (e is DiagnosticsClientException or IOException or TimeoutException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                // The target is gone or stopped answering: the stream ends anyway when the session is disposed.
            }
        }

        _session.Dispose();
        _reader.Join(TimeSpan.FromSeconds(3));
        _source.Dispose();
        GC.KeepAlive(_client);
    }
}
