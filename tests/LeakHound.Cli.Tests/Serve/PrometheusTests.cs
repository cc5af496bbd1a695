using System.Diagnostics;
using System.Text.Json;

namespace LeakHound.Cli.Tests.Serve;

/// <summary>The real Debian <c>prometheus</c> and <c>promtool</c> (test.sh installs them) against serve and deploy/prometheus.</summary>
public sealed class PrometheusTests
{
    /// <summary>The families serve exports (after the leakhound_ prefix), with and without the optional sources.</summary>
    private static readonly string[] Exported =
    [
        "process_tcp_connections", "process_tcp_peer_connections", "process_tcp_inbound_connections", "process_fds", "process_fd_limit", "postgres_connections",
        "postgres_max_connections", "postgres_reserved_connections", "postgres_oldest_idle_seconds", "postgres_oldest_idle_in_transaction_seconds",
        "dotnet_http_connections", "dotnet_db_connections", "leak_slope_per_hour", "leaking", "time_to_capacity_seconds", "alert_firing", "rounds_total",
    ];

    private static string Program(string name) =>
        ServeFixtures.Which(name) ?? throw new InvalidOperationException($"{name} is not installed; ./test.sh installs it (apt-get install prometheus).");

    [Fact]
    public async Task Promtool_checks_and_unit_tests_the_deploy_rules()
    {
        var folder = Path.Combine(ServeFixtures.RepoRoot, "deploy", "prometheus");
        var check = await ChildProcess.RunAsync(Program("promtool"), ["check", "rules", Path.Combine(folder, "leakhound-rules.yml")]);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("SUCCESS", check.Stdout + check.Stderr);

        var config = await ChildProcess.RunAsync(Program("promtool"), ["check", "config", "--syntax-only", Path.Combine(folder, "prometheus.yml")]);
        Assert.True(config.ExitCode == 0, config.ToString());

        var test = await ChildProcess.RunAsync(Program("promtool"), ["test", "rules", Path.Combine(folder, "leakhound-rules.test.yml")]);
        Assert.True(test.ExitCode == 0, test.ToString());
        Assert.Contains("SUCCESS", test.Stdout + test.Stderr);
    }

    [Fact]
    public async Task Every_query_of_the_grafana_dashboard_parses_and_names_exported_metrics()
    {
        var path = Path.Combine(ServeFixtures.RepoRoot, "deploy", "grafana", "leakhound-dashboard.json");
        var dashboard = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        var queries = dashboard.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .ToList();
        Assert.True(queries.Count >= 10);

        // promtool parses PromQL in rule files: each query becomes a recording rule, Grafana's variables made concrete.
        using var dir = new TempDir();
        var rules = new System.Text.StringBuilder("groups:\n  - name: grafana\n    rules:\n");
        for (var i = 0; i < queries.Count; i++)
        {
            var expr = queries[i].Replace("$instance", ".*", StringComparison.Ordinal).Replace("$process", ".*", StringComparison.Ordinal);
            rules.Append($"      - record: grafana_query_{i}\n        expr: '{expr.Replace("'", "''", StringComparison.Ordinal)}'\n");
        }

        File.WriteAllText(dir.File("grafana-rules.yml"), rules.ToString());
        var check = await ChildProcess.RunAsync(Program("promtool"), ["check", "rules", dir.File("grafana-rules.yml")]);
        Assert.True(check.ExitCode == 0, check.ToString() + rules);

        // Every metric it (and the alert rules) query is one serve exports.
        var exported = Exported.Select(n => "leakhound_" + n).ToHashSet();
        var text = File.ReadAllText(path) + File.ReadAllText(Path.Combine(ServeFixtures.RepoRoot, "deploy", "prometheus", "leakhound-rules.yml"));
        var used = System.Text.RegularExpressions.Regex.Matches(text, @"leakhound_[a-z_]+").Select(m => m.Value).Where(n => !n.StartsWith("leakhound_fleet", StringComparison.Ordinal)).ToHashSet();
        Assert.Empty(used.Except(exported));
    }

    [Fact]
    public async Task A_real_prometheus_scrapes_serve_and_returns_the_series_and_values()
    {
        using var holder = await SocketHolder.StartAsync(pairs: 10, closeWait: 4);
        using var dir = new TempDir();
        using var serve = await ServeProcess.StartAsync("--pid", holder.Pid.ToString(), "--interval", "1s", "--out", dir.File("scrape.db"));
        var target = new Uri(serve.Url).Authority;
        var port = ServeFixtures.FreePort();
        File.WriteAllText(dir.File("prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: leakhound
                static_configs:
                  - targets: ['{target}']
            """);

        var start = new ProcessStartInfo(Program("prometheus")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     "--config.file=" + dir.File("prometheus.yml"), "--storage.tsdb.path=" + dir.File("data"),
                     $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        using var prometheus = Process.Start(start)!;
        var log = prometheus.StandardError.ReadToEndAsync();
        _ = prometheus.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var query = Uri.EscapeDataString($"leakhound_process_tcp_connections{{job=\"leakhound\",state=\"close_wait\",pid=\"{holder.Pid}\"}}");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            string last = "";
            while (true)
            {
                Assert.False(prometheus.HasExited, "prometheus exited: " + (prometheus.HasExited ? await log : ""));
                try
                {
                    last = await http.GetStringAsync($"http://127.0.0.1:{port}/api/v1/query?query={query}");
                    var result = JsonDocument.Parse(last).RootElement.GetProperty("data").GetProperty("result");
                    if (result.GetArrayLength() == 1)
                    {
                        var series = result[0];
                        Assert.Equal("4", series.GetProperty("value")[1].GetString());
                        Assert.Equal("close_wait", series.GetProperty("metric").GetProperty("state").GetString());
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Prometheus is still starting.
                }

                Assert.True(DateTime.UtcNow < deadline, "no leakhound series in Prometheus after 60 s; last answer: " + last);
                await Task.Delay(500);
            }

            // The scrape itself is healthy, and the other families are there too.
            var up = await http.GetStringAsync($"http://127.0.0.1:{port}/api/v1/query?query=" + Uri.EscapeDataString("up{job=\"leakhound\"}"));
            Assert.Equal("1", JsonDocument.Parse(up).RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
            var fds = await http.GetStringAsync($"http://127.0.0.1:{port}/api/v1/query?query=" + Uri.EscapeDataString("leakhound_process_fds > 0"));
            Assert.Equal(1, JsonDocument.Parse(fds).RootElement.GetProperty("data").GetProperty("result").GetArrayLength());
            // The holder's accepted ends: 6 full pairs from 127.0.0.1 to its one listening port (the 4 others were closed).
            var inbound = await http.GetStringAsync($"http://127.0.0.1:{port}/api/v1/query?query=" +
                Uri.EscapeDataString($"leakhound_process_tcp_inbound_connections{{pid=\"{holder.Pid}\",client=\"127.0.0.1\",state=\"established\"}}"));
            Assert.Equal("6", JsonDocument.Parse(inbound).RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
        }
        finally
        {
            ChildProcess.Stop(prometheus);
        }
    }
}
