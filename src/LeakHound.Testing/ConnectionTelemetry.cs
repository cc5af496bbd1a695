using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace LeakHound.Testing;

/// <summary>
/// The one <see cref="MeterListener"/> of LeakHound.Testing. It starts when the assembly is first used (module
/// initializer), so it sees HttpClient connections opened after that; other listeners may exist before or after it
/// (each listener enables instruments for itself). HttpClient's <c>http.client.open_connections</c> is an
/// up-down counter, so its changes are summed here as they happen; the pools' counts are observable instruments,
/// read on demand with <see cref="MeterListener.RecordObservableInstruments"/>.
/// </summary>
internal static class ConnectionTelemetry
{
    internal const string HttpMeter = "System.Net.Http";
    internal const string HttpOpenConnections = "http.client.open_connections";
    internal const string PoolCount = "db.client.connection.count"; // Npgsql 10+
    internal const string PoolUsage = "db.client.connections.usage"; // Npgsql up to 9.x, MySqlConnector

    private static readonly object Gate = new();
    private static readonly object ObserveGate = new();
    private static readonly ConcurrentDictionary<HttpKey, long> Http = new();
    private static MeterListener? _listener;
    private static Dictionary<LeakTarget, long>? _collecting;

    internal readonly record struct HttpKey(object? Scope, string Server, string State);

#pragma warning disable CA2255 // The module initializer is the point: listen before the code under test opens a connection.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => EnsureStarted();

    public static void EnsureStarted()
    {
        if (_listener is not null)
        {
            return;
        }

        lock (Gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (IsWanted(instrument))
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<long>((i, v, tags, _) => OnMeasurement(i, v, tags));
            listener.SetMeasurementEventCallback<int>((i, v, tags, _) => OnMeasurement(i, v, tags));
            listener.SetMeasurementEventCallback<double>((i, v, tags, _) => OnMeasurement(i, (long)v, tags));
            listener.Start();
            _listener = listener;
        }
    }

    private static bool IsWanted(Instrument instrument) =>
        (instrument.Meter.Name == HttpMeter && instrument.Name == HttpOpenConnections)
        || instrument.Name is PoolCount or PoolUsage;

    private static void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument.Name == HttpOpenConnections)
        {
            string? address = null, state = null;
            object? port = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "server.address": address = tag.Value as string; break;
                    case "server.port": port = tag.Value; break;
                    case "http.connection.state": state = tag.Value as string; break;
                }
            }

            var server = port is null ? address ?? "?" : $"{FormatHost(address ?? "?")}:{port}";
            Http.AddOrUpdate(new HttpKey(instrument.Meter.Scope, server, state ?? "?"), value, (_, old) => old + value);
            return;
        }

        // A pool's observable count: only while a snapshot is being taken, on that snapshot's thread.
        var target = _collecting;
        if (target is null)
        {
            return;
        }

        string? pool = null, poolState = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "db.client.connection.pool.name" or "pool.name": pool = tag.Value as string; break;
                case "db.client.connection.state" or "state": poolState = tag.Value as string; break;
            }
        }

        if (poolState is "used")
        {
            var kind = instrument.Meter.Name.StartsWith("MySqlConnector", StringComparison.Ordinal) ? LeakKind.MySqlPool : LeakKind.NpgsqlPool;
            var key = new LeakTarget(kind, pool ?? "?");
            target[key] = target.GetValueOrDefault(key) + value;
        }
    }

    internal static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;

    /// <summary>Active HttpClient connections per server (all handlers, or only those whose meters come from <paramref name="scope"/>).</summary>
    public static void AddHttp(Dictionary<LeakTarget, long> into, bool scoped, object? scope)
    {
        foreach (var (key, count) in Http)
        {
            if (key.State != "active" || (scoped && !ReferenceEquals(key.Scope, scope)))
            {
                continue;
            }

            var target = new LeakTarget(LeakKind.Http, key.Server);
            into[target] = into.GetValueOrDefault(target) + count;
        }
    }

    /// <summary>Used connections per Npgsql / MySqlConnector pool, read now.</summary>
    public static void AddPools(Dictionary<LeakTarget, long> into)
    {
        EnsureStarted();
        lock (ObserveGate)
        {
            var collected = new Dictionary<LeakTarget, long>();
            _collecting = collected;
            try
            {
                _listener!.RecordObservableInstruments();
            }
            finally
            {
                _collecting = null;
            }

            foreach (var (target, count) in collected)
            {
                into[target] = into.GetValueOrDefault(target) + count;
            }
        }
    }
}
