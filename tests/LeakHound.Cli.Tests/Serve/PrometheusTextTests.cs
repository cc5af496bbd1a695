using LeakHound.Analysis;
using LeakHound.Cli.Serving;
using LeakHound.Samples;

namespace LeakHound.Cli.Tests.Serve;

/// <summary>The /metrics writer: names, labels, escaping, HELP and TYPE, and the peer fold.</summary>
public sealed class PrometheusTextTests
{
    private static ServeSnapshot Snapshot(IReadOnlyList<Sample> samples, IReadOnlyList<LeakVerdict>? verdicts = null, IReadOnlyList<string>? rules = null, IReadOnlyList<FiringAlert>? firing = null) =>
        new("subject", null, true, null, 7, DateTimeOffset.UnixEpoch, 123, "svc\"1", samples, verdicts ?? [], firing ?? [], rules ?? [], []);

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("say \"hi\"", "say \\\"hi\\\"")]
    [InlineData("two\nlines", "two\\nlines")]
    public void Label_values_escape_backslash_quote_and_newline(string value, string escaped) =>
        Assert.Equal(escaped, PrometheusText.EscapeLabelValue(value));

    [Fact]
    public void Names_map_generically_so_new_sources_need_no_code()
    {
        Assert.Equal("leakhound_process_tcp_connections", PrometheusText.MetricName("process.tcp.connections"));
        Assert.Equal("leakhound_dotnet_http_connections", PrometheusText.MetricName("dotnet.http.connections"));
        Assert.Equal("leakhound_command_disk_use_pct", PrometheusText.MetricName("command.disk-use/pct"));
        Assert.Equal("l_0bad", PrometheusText.LabelName("0bad"));

        var text = PrometheusText.Write(Snapshot(
        [
            new(SeriesKey.Of("dotnet.db.connections", ("provider", "Npgsql"), ("pool", "Host=db;Password=x"), ("state", "idle")), 3),
            new(SeriesKey.Of("dotnet.http.connections", ("server", "api:443"), ("state", "active")), 9),
        ]));

        Assert.Contains("# HELP leakhound_dotnet_db_connections LeakHound series dotnet.db.connections.\n# TYPE leakhound_dotnet_db_connections gauge\n", text);
        Assert.Contains("leakhound_dotnet_db_connections{pool=\"Host=db;Password=x\",provider=\"Npgsql\",state=\"idle\"} 3\n", text);
        Assert.Contains("leakhound_dotnet_http_connections{server=\"api:443\",state=\"active\"} 9\n", text);
    }

    [Fact]
    public void Process_series_carry_pid_and_process_and_every_family_has_help_and_type()
    {
        var text = PrometheusText.Write(Snapshot(
        [
            new(SeriesKey.Of(MetricNames.TcpConnections, ("state", "close_wait")), 17),
            new(SeriesKey.Of(MetricNames.Fds), 40),
            new(SeriesKey.Of(MetricNames.FdLimit), 1024),
            new(SeriesKey.Of(MetricNames.PgConnections, ("state", "idle in transaction")), 2),
        ]));

        Assert.Contains("leakhound_process_tcp_connections{pid=\"123\",process=\"svc\\\"1\",state=\"close_wait\"} 17\n", text);
        Assert.Contains("leakhound_process_fd_limit{pid=\"123\",process=\"svc\\\"1\"} 1024\n", text);
        Assert.Contains("leakhound_postgres_connections{state=\"idle in transaction\"} 2\n", text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var families = lines.Where(l => !l.StartsWith('#')).Select(l => l.Split('{', ' ')[0]).Distinct();
        foreach (var family in families)
        {
            Assert.Contains($"# HELP {family} ", text);
            Assert.Contains($"# TYPE {family} ", text);
        }

        Assert.EndsWith("\n", text);
    }

    [Fact]
    public void Ten_thousand_peers_fold_into_the_top_peers_and_other()
    {
        var samples = Enumerable.Range(0, 10_000)
            .SelectMany(i => new[]
            {
                new Sample(SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", $"10.0.{i / 256}.{i % 256}:443"), ("state", "established")), i < 5 ? 1000 : 1),
                new Sample(SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", $"10.0.{i / 256}.{i % 256}:443"), ("state", "close_wait")), 1),
            })
            .ToList();

        var text = PrometheusText.Write(Snapshot(samples));
        var peerLines = text.Split('\n').Where(l => l.StartsWith("leakhound_process_tcp_peer_connections{", StringComparison.Ordinal)).ToList();

        Assert.Equal((PrometheusText.TopPeers + 1) * 2, peerLines.Count);
        Assert.Contains("leakhound_process_tcp_peer_connections{pid=\"123\",process=\"svc\\\"1\",peer=\"10.0.0.0:443\",state=\"established\"} 1000", peerLines);
        var other = 10_000 - PrometheusText.TopPeers;
        Assert.Contains($"leakhound_process_tcp_peer_connections{{pid=\"123\",process=\"svc\\\"1\",peer=\"other\",state=\"close_wait\"}} {other}", peerLines);
        Assert.Contains($"leakhound_process_tcp_peer_connections{{pid=\"123\",process=\"svc\\\"1\",peer=\"other\",state=\"established\"}} {other}", peerLines);
    }

    [Fact]
    public void Verdicts_and_alert_rules_become_gauges()
    {
        var key = SeriesKey.Of(MetricNames.TcpConnections, ("state", "close_wait"));
        var verdict = new LeakVerdict { Key = key, Kind = VerdictKind.Leaking, SlopePerHour = 590, TimeToCapacity = TimeSpan.FromMinutes(78), Summary = "s" };
        var rules = new[] { "process.tcp.connections{state=close_wait} > 500", "process.fds > 90% of limit" };
        var text = PrometheusText.Write(Snapshot([], [verdict], rules, [new FiringAlert(rules[0], key.ToString(), DateTimeOffset.UnixEpoch)]));

        Assert.Contains("leakhound_leak_slope_per_hour{series=\"process.tcp.connections{state=\\\"close_wait\\\"}\"} 590\n", text);
        Assert.Contains("leakhound_time_to_capacity_seconds{series=\"process.tcp.connections{state=\\\"close_wait\\\"}\"} 4680\n", text);
        Assert.Contains("leakhound_leaking{series=\"process.tcp.connections{state=\\\"close_wait\\\"}\"} 1\n", text);
        Assert.Contains("leakhound_alert_firing{rule=\"process.tcp.connections{state=close_wait} > 500\"} 1\n", text);
        Assert.Contains("leakhound_alert_firing{rule=\"process.fds > 90% of limit\"} 0\n", text);
        Assert.Contains("# TYPE leakhound_alert_firing gauge\n", text);
    }
}
