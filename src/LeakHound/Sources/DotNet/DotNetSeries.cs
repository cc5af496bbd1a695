using System.Globalization;
using LeakHound.Samples;
using LeakHound.Sources.Postgres;

namespace LeakHound.Sources.DotNet;

/// <summary>
/// One value as the target published it: a meter's instrument with its tags (<c>k=v,k=v</c>), or an EventCounter
/// (<see cref="Tags"/> then holds the counter's display name).
/// </summary>
internal sealed record RawMeasurement(string Source, string Instrument, string Tags, double Value, bool FromEventCounter = false);

/// <summary>
/// Turns what a .NET process published (System.Diagnostics.Metrics instruments and EventCounters) into LeakHound's
/// series. Knows the instrument and tag names of System.Net.Http (.NET 8+), Npgsql 8–9 and 10, MySqlConnector and
/// Microsoft.Data.SqlClient, and masks any password in a pool name.
/// </summary>
internal static class DotNetSeries
{
    public const string HttpMeter = "System.Net.Http";
    public const string OpenConnections = "http.client.open_connections";
    public const string TimeInQueue = "http.client.request.time_in_queue";
    public const string SqlClientEventSource = "Microsoft.Data.SqlClient.EventSource";
    public const string NpgsqlSource = "Npgsql";
    public const string MySqlConnectorMeter = "MySqlConnector";

    /// <summary>The pool of an EventCounter that names none (older Npgsql, SqlClient: one number for every pool).</summary>
    public const string AllPools = "(all pools)";

    /// <summary>The meters' instruments LeakHound subscribes to, by name only: nothing else is aggregated in the target.</summary>
    public static readonly string[] DbConnectionCount = ["db.client.connection.count", "db.client.connections.usage"];
    public static readonly string[] DbConnectionMax = ["db.client.connection.max", "db.client.connections.max"];
    public static readonly string[] DbPending =
        ["db.client.connection.pending_requests", "db.client.connections.pending_requests", "db.client.connection.npgsql.pending_requests"];

    /// <summary>The <c>Metrics=</c> argument of the System.Diagnostics.Metrics provider: meter\instrument, comma separated.</summary>
    public static string MetricsSpec()
    {
        var specs = new List<string> { $@"{HttpMeter}\{OpenConnections}", $@"{HttpMeter}\{TimeInQueue}" };
        foreach (var meter in new[] { NpgsqlSource, MySqlConnectorMeter })
        {
            specs.AddRange(DbConnectionCount.Concat(DbConnectionMax).Concat(DbPending).Select(i => $@"{meter}\{i}"));
        }

        return string.Join(',', specs);
    }

    /// <summary>The samples of one round from the latest value of every published series.</summary>
    public static List<Sample> ToSamples(IEnumerable<RawMeasurement> measurements)
    {
        var http = new Dictionary<(string Server, string State), double>();
        var httpServers = new SortedSet<string>(StringComparer.Ordinal);
        var queue = new Dictionary<string, double>(StringComparer.Ordinal);
        var db = new Dictionary<(string Provider, string Pool, string State), double>();
        var dbPools = new SortedSet<(string Provider, string Pool)>();
        var dbMax = new Dictionary<(string Provider, string Pool), double>();
        var dbPending = new Dictionary<(string Provider, string Pool), double>();
        var legacyDb = new List<(string Provider, string Pool, string State, double Value)>();
        var sqlClient = new SortedDictionary<string, double>(StringComparer.Ordinal);

        foreach (var m in measurements)
        {
            if (!double.IsFinite(m.Value))
            {
                continue;
            }

            if (m.FromEventCounter)
            {
                AddEventCounter(m, legacyDb, sqlClient);
                continue;
            }

            var tags = ParseTags(m.Tags);
            if (m.Source == HttpMeter)
            {
                var server = Server(tags);
                if (m.Instrument == OpenConnections)
                {
                    var state = tags.GetValueOrDefault("http.connection.state") ?? "unknown";
                    httpServers.Add(server);
                    http[(server, state)] = http.GetValueOrDefault((server, state)) + m.Value;
                }
                else if (m.Instrument == TimeInQueue)
                {
                    queue[server] = Math.Max(queue.GetValueOrDefault(server), m.Value);
                }

                continue;
            }

            if (m.Source is not (NpgsqlSource or MySqlConnectorMeter))
            {
                continue;
            }

            var provider = m.Source.ToLowerInvariant();
            var pool = PoolName(tags.GetValueOrDefault("db.client.connection.pool.name") ?? tags.GetValueOrDefault("pool.name"));
            if (DbConnectionCount.Contains(m.Instrument))
            {
                var state = tags.GetValueOrDefault("db.client.connection.state") ?? tags.GetValueOrDefault("state") ?? "unknown";
                dbPools.Add((provider, pool));
                db[(provider, pool, state)] = db.GetValueOrDefault((provider, pool, state)) + m.Value;
            }
            else if (DbConnectionMax.Contains(m.Instrument))
            {
                dbPools.Add((provider, pool));
                dbMax[(provider, pool)] = m.Value;
            }
            else if (DbPending.Contains(m.Instrument))
            {
                dbPending[(provider, pool)] = dbPending.GetValueOrDefault((provider, pool)) + m.Value;
            }
        }

        // EventCounters stand in only for a provider whose meter published nothing (an older Npgsql, SqlClient).
        var metered = dbPools.Select(p => p.Provider).ToHashSet(StringComparer.Ordinal);
        foreach (var (provider, pool, state, value) in legacyDb.Where(l => !metered.Contains(l.Provider)))
        {
            dbPools.Add((provider, pool));
            db[(provider, pool, state)] = db.GetValueOrDefault((provider, pool, state)) + value;
        }

        var samples = new List<Sample>();
        foreach (var server in httpServers)
        {
            // Both states every round, zeros included, as the census does for TCP states.
            foreach (var state in http.Keys.Where(k => k.Server == server).Select(k => k.State).Union(["active", "idle"]).Order(StringComparer.Ordinal))
            {
                samples.Add(new Sample(
                    SeriesKey.Of(MetricNames.DotNetHttpConnections, (MetricNames.ServerLabel, server), (MetricNames.StateLabel, state)),
                    http.GetValueOrDefault((server, state))));
            }
        }

        foreach (var (server, seconds) in queue.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            samples.Add(new Sample(SeriesKey.Of(MetricNames.DotNetHttpQueueSeconds, (MetricNames.ServerLabel, server)), seconds));
        }

        foreach (var (provider, pool) in dbPools)
        {
            foreach (var state in db.Keys.Where(k => k.Provider == provider && k.Pool == pool).Select(k => k.State).Union(["used", "idle"]).Order(StringComparer.Ordinal))
            {
                samples.Add(new Sample(
                    SeriesKey.Of(MetricNames.DotNetDbConnections, (MetricNames.ProviderLabel, provider), (MetricNames.PoolLabel, pool), (MetricNames.StateLabel, state)),
                    db.GetValueOrDefault((provider, pool, state))));
            }

            if (dbMax.TryGetValue((provider, pool), out var max))
            {
                samples.Add(new Sample(SeriesKey.Of(MetricNames.DotNetDbMaxConnections, (MetricNames.ProviderLabel, provider), (MetricNames.PoolLabel, pool)), max));
            }

            if (dbPending.TryGetValue((provider, pool), out var pending))
            {
                samples.Add(new Sample(SeriesKey.Of(MetricNames.DotNetDbPendingRequests, (MetricNames.ProviderLabel, provider), (MetricNames.PoolLabel, pool)), pending));
            }
        }

        foreach (var (name, value) in sqlClient)
        {
            samples.Add(new Sample(SeriesKey.Of(MetricNames.DotNetSqlClientPrefix + name), value));
        }

        return samples;
    }

    private static void AddEventCounter(RawMeasurement m, List<(string, string, string, double)> legacyDb, SortedDictionary<string, double> sqlClient)
    {
        if (m.Source == SqlClientEventSource)
        {
            sqlClient[m.Instrument.Replace('-', '_')] = m.Value;
            // The two that are a pool's leased and free connections also join the common series.
            if (m.Instrument == "number-of-active-connections")
            {
                legacyDb.Add(("sqlclient", AllPools, "used", m.Value));
            }
            else if (m.Instrument == "number-of-free-connections")
            {
                legacyDb.Add(("sqlclient", AllPools, "idle", m.Value));
            }
        }
        else if (m.Source == NpgsqlSource)
        {
            // Npgsql 5–7: busy-connections and idle-connections for all pools; later versions one pair per data
            // source, named "Busy Connections [pool]" in the display name.
            var state = m.Instrument.StartsWith("busy-connections", StringComparison.Ordinal) ? "used"
                : m.Instrument.StartsWith("idle-connections", StringComparison.Ordinal) ? "idle"
                : null;
            if (state is not null)
            {
                legacyDb.Add(("npgsql", PoolFromDisplayName(m.Tags), state, m.Value));
            }
        }
    }

    private static string PoolFromDisplayName(string displayName)
    {
        var open = displayName.IndexOf('[', StringComparison.Ordinal);
        var close = displayName.LastIndexOf(']');
        return open >= 0 && close > open ? PoolName(displayName[(open + 1)..close]) : AllPools;
    }

    /// <summary>Npgsql names a pool by its connection string unless the application names it: never show a password.</summary>
    public static string PoolName(string? name) => string.IsNullOrEmpty(name) ? AllPools : ConnectionStrings.Mask(name, null);

    /// <summary>address:port, with an IPv6 address in brackets; the address alone when no port was published.</summary>
    private static string Server(Dictionary<string, string> tags)
    {
        var address = tags.GetValueOrDefault("server.address") ?? "unknown";
        if (address.Contains(':', StringComparison.Ordinal) && !address.StartsWith('['))
        {
            address = "[" + address + "]";
        }

        return tags.TryGetValue("server.port", out var port) && port.Length > 0 ? $"{address}:{port}" : address;
    }

    /// <summary>
    /// Parses MetricsEventSource's <c>k=v,k=v</c>. A value may itself hold commas and equals signs (a pool named by its
    /// connection string, <c>Host=a,b;Port=5432</c>): a piece whose would-be key is not a tag name belongs to the
    /// value before it.
    /// </summary>
    public static Dictionary<string, string> ParseTags(string tags)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string? lastKey = null;
        foreach (var piece in tags.Split(','))
        {
            var eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && IsTagName(piece.AsSpan(0, eq)))
            {
                lastKey = piece[..eq];
                result[lastKey] = piece[(eq + 1)..];
            }
            else if (lastKey is not null)
            {
                result[lastKey] += "," + piece;
            }
        }

        return result;
    }

    private static bool IsTagName(ReadOnlySpan<char> key)
    {
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A number as MetricsEventSource writes it (invariant culture); NaN when empty or unparsable.</summary>
    public static double ParseNumber(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;

    /// <summary>The 95th percentile from a histogram's <c>0.5=x;0.95=y;0.99=z</c>; 0 when nothing was measured.</summary>
    public static double Percentile95(string quantiles, int count)
    {
        if (count <= 0)
        {
            return 0;
        }

        foreach (var pair in quantiles.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && pair.AsSpan(0, eq).SequenceEqual("0.95"))
            {
                return ParseNumber(pair[(eq + 1)..]);
            }
        }

        return double.NaN;
    }
}
