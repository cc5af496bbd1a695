using LeakHound.Samples;
using LeakHound.Sources.DotNet;

namespace LeakHound.Tests.DotNet;

/// <summary>What the target publishes, turned into LeakHound's series.</summary>
public sealed class DotNetSeriesTests
{
    private static RawMeasurement Http(string tags, double value) => new("System.Net.Http", "http.client.open_connections", tags, value);

    private static double Value(List<Sample> samples, string key) => Assert.Single(samples, s => s.Key.ToString() == key).Value;

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public void Http_connections_are_summed_per_server_and_state_with_both_states_every_round()
    {
        var samples = DotNetSeries.ToSamples(
        [
            Http("http.connection.state=active,network.peer.address=127.0.0.1,network.protocol.version=1.1,server.address=127.0.0.1,server.port=8080,url.scheme=http", 5),
            Http("http.connection.state=active,network.peer.address=127.0.0.2,network.protocol.version=1.1,server.address=127.0.0.1,server.port=8080,url.scheme=http", 2),
            Http("http.connection.state=idle,network.protocol.version=1.1,server.address=::1,server.port=9090,url.scheme=http", 3),
            new("System.Net.Http", "http.client.request.time_in_queue", "network.protocol.version=1.1,server.address=127.0.0.1,server.port=8080,url.scheme=http", 0.25),
        ]);

        Assert.Equal(7, Value(samples, "dotnet.http.connections{server=\"127.0.0.1:8080\",state=\"active\"}"));
        Assert.Equal(0, Value(samples, "dotnet.http.connections{server=\"127.0.0.1:8080\",state=\"idle\"}"));
        Assert.Equal(3, Value(samples, "dotnet.http.connections{server=\"[::1]:9090\",state=\"idle\"}"));
        Assert.Equal(0, Value(samples, "dotnet.http.connections{server=\"[::1]:9090\",state=\"active\"}"));
        Assert.Equal(0.25, Value(samples, "dotnet.http.queue_seconds{server=\"127.0.0.1:8080\"}"));
        Assert.Equal(5, samples.Count);
    }

    [Theory]
    [InlineData("Npgsql", "db.client.connection.count", "db.client.connection.max", "db.client.connection.pool.name", "db.client.connection.state")] // Npgsql 10
    [InlineData("Npgsql", "db.client.connections.usage", "db.client.connections.max", "pool.name", "state")] // Npgsql 8–9
    [InlineData("MySqlConnector", "db.client.connections.usage", "db.client.connections.max", "pool.name", "state")]
    [InlineData("MySqlConnector", "db.client.connection.count", "db.client.connection.max", "db.client.connection.pool.name", "db.client.connection.state")]
    public void Database_pools_by_provider_pool_and_state_with_their_maximum(string meter, string count, string max, string poolTag, string stateTag)
    {
        var samples = DotNetSeries.ToSamples(
        [
            new(meter, count, $"{poolTag}=orders,{stateTag}=used", 7),
            new(meter, count, $"{poolTag}=orders,{stateTag}=idle", 3),
            new(meter, max, $"{poolTag}=orders", 100),
        ]);

        var provider = meter.ToLowerInvariant();
        Assert.Equal(7, Value(samples, $"dotnet.db.connections{{pool=\"orders\",provider=\"{provider}\",state=\"used\"}}"));
        Assert.Equal(3, Value(samples, $"dotnet.db.connections{{pool=\"orders\",provider=\"{provider}\",state=\"idle\"}}"));
        Assert.Equal(100, Value(samples, $"dotnet.db.max_connections{{pool=\"orders\",provider=\"{provider}\"}}"));
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public void A_pool_named_by_its_connection_string_never_shows_the_password_even_with_commas_in_it()
    {
        var pool = "Host=db1,db2;Port=5432;Username=app;Password=s3cr3t-pw;Database=orders";
        var samples = DotNetSeries.ToSamples([new("Npgsql", "db.client.connection.count", $"db.client.connection.pool.name={pool},db.client.connection.state=used", 4)]);

        var used = Assert.Single(samples, s => s.Key.Label("state") == "used");
        Assert.Equal("Host=db1,db2;Port=5432;Username=app;Password=***;Database=orders", used.Key.Label("pool"));
        Assert.Equal(4, used.Value);
        Assert.DoesNotContain(samples, s => s.Key.ToString().Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public void SqlClient_counters_including_reclaimed_connections_and_its_pool_in_the_common_series()
    {
        var samples = DotNetSeries.ToSamples(
        [
            new(DotNetSeries.SqlClientEventSource, "number-of-reclaimed-connections", "Number of connections reclaimed through GC from connection pools", 6, FromEventCounter: true),
            new(DotNetSeries.SqlClientEventSource, "number-of-active-connections", "Number of active connections", 12, FromEventCounter: true),
            new(DotNetSeries.SqlClientEventSource, "number-of-free-connections", "Number of ready connections in the connection pool", 4, FromEventCounter: true),
        ]);

        Assert.Equal(6, Value(samples, "dotnet.sqlclient.number_of_reclaimed_connections"));
        Assert.Equal(12, Value(samples, "dotnet.sqlclient.number_of_active_connections"));
        Assert.Equal(12, Value(samples, "dotnet.db.connections{pool=\"(all pools)\",provider=\"sqlclient\",state=\"used\"}"));
        Assert.Equal(4, Value(samples, "dotnet.db.connections{pool=\"(all pools)\",provider=\"sqlclient\",state=\"idle\"}"));
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public void Npgsql_EventCounters_stand_in_only_when_its_meter_published_nothing()
    {
        RawMeasurement[] counters =
        [
            new("Npgsql", "busy-connections", "Busy Connections", 9, FromEventCounter: true),
            new("Npgsql", "idle-connections", "Idle Connections", 1, FromEventCounter: true),
        ];
        var legacy = DotNetSeries.ToSamples(counters);
        Assert.Equal(9, Value(legacy, "dotnet.db.connections{pool=\"(all pools)\",provider=\"npgsql\",state=\"used\"}"));

        var both = DotNetSeries.ToSamples([.. counters, new("Npgsql", "db.client.connection.count", "db.client.connection.pool.name=p,db.client.connection.state=used", 9)]);
        Assert.DoesNotContain(both, s => s.Key.Label("pool") == "(all pools)");
        Assert.Equal(9, Value(both, "dotnet.db.connections{pool=\"p\",provider=\"npgsql\",state=\"used\"}"));
    }

    [Fact(Timeout = 120_000)] // EventPipe talks to another runtime: a hang must fail, not stall the suite.
    public void Tags_numbers_and_quantiles_parse_as_MetricsEventSource_writes_them()
    {
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b.c"] = "x=y,z" }, DotNetSeries.ParseTags("a=1,b.c=x=y,z"));
        Assert.Empty(DotNetSeries.ParseTags(""));
        Assert.Equal(1.5e-3, DotNetSeries.ParseNumber("0.0015"));
        Assert.True(double.IsNaN(DotNetSeries.ParseNumber("")));
        Assert.Equal(0.2, DotNetSeries.Percentile95("0.5=0.1;0.95=0.2;0.99=0.3", 10));
        Assert.Equal(0, DotNetSeries.Percentile95("", 0));
        Assert.Contains(@"System.Net.Http\http.client.open_connections", DotNetSeries.MetricsSpec(), StringComparison.Ordinal);
        Assert.Contains(@"Npgsql\db.client.connection.count", DotNetSeries.MetricsSpec(), StringComparison.Ordinal);
    }
}
