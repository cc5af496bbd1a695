using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LeakHound.Cli.Serving;

namespace LeakHound.Cli.Tests.Serve;

/// <summary><c>leakhound serve</c> as a user runs it: binding rules, the token, headers, the API and untrusted names.</summary>
public sealed class ServeCommandTests
{
    private const string Token = "s3cret-token-0123456789abcdef";

    [Fact]
    public async Task A_public_bind_without_a_token_is_refused_with_one_line()
    {
        var result = await ChildProcess.RunLeakHoundAsync("serve", "--pid", "1", "--urls", "http://0.0.0.0:0");

        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("--token", lines[0]);
        Assert.Contains("0.0.0.0", lines[0]);
    }

    [Fact]
    public async Task A_short_token_and_a_file_with_sources_are_usage_errors()
    {
        var shortToken = await ChildProcess.RunLeakHoundAsync("serve", "--pid", "1", "--urls", "http://0.0.0.0:0", "--token", "abc");
        Assert.Equal(2, shortToken.ExitCode);
        Assert.Contains("at least 16", shortToken.Stderr);

        using var dir = new TempDir();
        var both = await ChildProcess.RunLeakHoundAsync("serve", dir.File("x.db"), "--pid", "1");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("not both", both.Stderr);
    }

    [Fact]
    public async Task A_port_in_use_is_one_line()
    {
        using var busy = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        using var dir = new TempDir();
        var store = await ServeFixtures.WriteStoreAsync(dir.File("t.db"));

        var result = await ChildProcess.RunLeakHoundAsync("serve", store, "--urls", $"http://127.0.0.1:{port}");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"leakhound: cannot listen on http://127.0.0.1:{port}: the address is already in use (another serve? choose a port with --urls)", result.Stderr.Trim());
    }

    [Fact]
    public void Only_loopback_addresses_bind_without_a_token()
    {
        ServeSecurity.CheckBinding(["http://127.0.0.1:9464", "http://localhost:1", "http://[::1]:2"], null);
        foreach (var url in new[] { "http://0.0.0.0:9464", "http://*:9464", "http://+:80", "http://10.1.2.3:9464", "http://[::]:9464", "http://example.com:80" })
        {
            Assert.Throws<UsageException>(() => ServeSecurity.CheckBinding([url], null));
            ServeSecurity.CheckBinding([url], Token);
        }

        Assert.Throws<UsageException>(() => ServeSecurity.CheckBinding(["ftp://127.0.0.1:1"], null));
    }

    [Fact]
    public async Task With_a_token_requests_without_it_get_401_and_bearer_query_and_cookie_work()
    {
        using var dir = new TempDir();
        var store = await ServeFixtures.WriteStoreAsync(dir.File("t.db"));
        using var serve = await ServeProcess.StartAsync(store, "--token", Token);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

        foreach (var path in new[] { "/", "/metrics", "/api/series", "/events", "/assets/dashboard.js", "/nothing" })
        {
            using var bare = await http.GetAsync(serve.Url + path);
            Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);
            Assert.Contains("Bearer", bare.Headers.WwwAuthenticate.ToString());
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, serve.Url + "/metrics"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }

        using (var bearer = new HttpRequestMessage(HttpMethod.Get, serve.Url + "/metrics"))
        {
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var answer = await http.SendAsync(bearer);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains("leakhound_process_tcp_connections", await answer.Content.ReadAsStringAsync());
        }

        using var query = await http.GetAsync(serve.Url + "/api/status?token=" + Token);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        var cookie = Assert.Single(query.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Token, cookie);

        // The page opened with ?token= drops it from the address bar; the cookie carries the session on.
        using var page = await http.GetAsync(serve.Url + "/?token=" + Token);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, serve.Url + "/api/verdicts");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(withCookie)).StatusCode);

        // No answer holds the token.
        foreach (var path in new[] { "/", "/api/status", "/api/series", "/api/alerts", "/api/verdicts", "/metrics", "/assets/dashboard.js" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, serve.Url + path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var answer = await http.SendAsync(request);
            Assert.DoesNotContain(Token, await answer.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Every_answer_has_a_strict_content_security_policy_and_only_embedded_files_are_served()
    {
        using var dir = new TempDir();
        var store = await ServeFixtures.WriteStoreAsync(dir.File("t.db"));
        using var serve = await ServeProcess.StartAsync(store);
        using var http = new HttpClient();

        using var page = await http.GetAsync(serve.Url + "/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe", csp);
        Assert.DoesNotContain("http", csp);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);

        foreach (var path in new[] { "/assets/../LeakHound.slnx", "/assets/%2e%2e%2fleakhound.dll", "/assets/leakhound.dll", "/leakhound.dll", "/assets/" + "t.db" })
        {
            using var answer = await http.GetAsync(serve.Url + path);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        }

        // A page elsewhere that rebinds its DNS name to 127.0.0.1 still sends its own Host: refused.
        using var rebound = new HttpRequestMessage(HttpMethod.Get, serve.Url + "/api/series");
        rebound.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.MisdirectedRequest, (await http.SendAsync(rebound)).StatusCode);
    }

    [Fact]
    public async Task A_hostile_peer_name_is_escaped_in_json_and_metrics()
    {
        using var dir = new TempDir();
        var store = await ServeFixtures.WriteStoreAsync(dir.File("t.db"));
        using var serve = await ServeProcess.StartAsync(store);
        using var http = new HttpClient();

        foreach (var path in new[] { "/api/series", "/api/charts?range=all", "/api/verdicts" })
        {
            var json = await http.GetStringAsync(serve.Url + path);
            Assert.DoesNotContain("<", json);
            Assert.DoesNotContain(">", json);
            JsonDocument.Parse(json).Dispose();
        }

        var series = JsonDocument.Parse(await http.GetStringAsync(serve.Url + "/api/series"));
        Assert.Contains(series.RootElement.EnumerateArray(), s => s.GetProperty("labels").TryGetProperty("peer", out var p) && p.GetString() == ServeFixtures.HostilePeer);

        var metrics = await http.GetStringAsync(serve.Url + "/metrics");
        Assert.Contains("peer=\"<script>document.title='pwned'</script><img src=x onerror=\\\"window.pwned=1\\\">\\\\\\n\"", metrics);
        Assert.Contains("leakhound_process_tcp_connections{pid=\"4242\",state=\"close_wait\"} 39", metrics);
    }

    [Fact]
    public async Task The_api_serves_series_samples_over_a_range_verdicts_and_alerts()
    {
        using var dir = new TempDir();
        var store = await ServeFixtures.WriteStoreAsync(dir.File("t.db"));
        using var serve = await ServeProcess.StartAsync(store, "--capacity", "100");
        using var http = new HttpClient();

        var key = Uri.EscapeDataString("process.tcp.connections{state=\"close_wait\"}");
        var all = JsonDocument.Parse(await http.GetStringAsync($"{serve.Url}/api/samples?series={key}")).RootElement.GetProperty("points");
        Assert.Equal(30, all.GetArrayLength());
        Assert.Equal(39, all[29][1].GetDouble());

        var from = all[20][0].GetDouble();
        var range = JsonDocument.Parse(await http.GetStringAsync($"{serve.Url}/api/samples?series={key}&from={from}")).RootElement.GetProperty("points");
        Assert.Equal(10, range.GetArrayLength());

        var few = JsonDocument.Parse(await http.GetStringAsync($"{serve.Url}/api/samples?series={key}&points=8")).RootElement.GetProperty("points");
        Assert.InRange(few.GetArrayLength(), 2, 8);
        Assert.Contains(few.EnumerateArray(), p => p[1].GetDouble() == 39); // The maximum survives downsampling.

        using var missing = await http.GetAsync($"{serve.Url}/api/samples?series=nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var bad = await http.GetAsync($"{serve.Url}/api/charts?range=forever");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var verdicts = JsonDocument.Parse(await http.GetStringAsync(serve.Url + "/api/verdicts")).RootElement;
        var closeWait = verdicts.EnumerateArray().First(v => v.GetProperty("series").GetString() == "process.tcp.connections{state=\"close_wait\"}");
        Assert.Equal("leaking", closeWait.GetProperty("verdict").GetString());
        Assert.Equal(360, closeWait.GetProperty("slopePerHour").GetDouble(), 1);
        Assert.True(closeWait.GetProperty("timeToCapacitySeconds").GetDouble() > 0);

        var charts = JsonDocument.Parse(await http.GetStringAsync(serve.Url + "/api/charts?range=1h")).RootElement.GetProperty("charts");
        Assert.Equal("TCP connections by state", charts[0].GetProperty("title").GetString());
        Assert.Equal(100, charts[0].GetProperty("capacity").GetDouble());

        var alerts = JsonDocument.Parse(await http.GetStringAsync(serve.Url + "/api/alerts")).RootElement;
        Assert.Equal(0, alerts.GetProperty("firing").GetArrayLength());

        var metrics = await http.GetStringAsync(serve.Url + "/metrics");
        Assert.Contains("# TYPE leakhound_leak_slope_per_hour gauge", metrics);
        Assert.Contains("leakhound_time_to_capacity_seconds{series=\"process.tcp.connections{state=\\\"close_wait\\\"}\"}", metrics);
    }
}
