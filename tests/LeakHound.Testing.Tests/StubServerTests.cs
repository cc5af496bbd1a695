using System.Diagnostics;
using System.Net;

namespace LeakHound.Testing.Tests;

public sealed class StubServerTests
{
    [Fact]
    public async Task Answers_with_status_headers_and_an_HTML_body_like_a_load_balancer()
    {
        await using var server = StubServer.Start();
        server.On("GET", "/session").Respond(403).WithHtml(StubServer.LoadBalancerForbiddenPage).WithHeader("Server", "nginx");
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.GetAsync("/session?user=1");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("nginx", response.Headers.Server.ToString());
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>403 Forbidden</h1>", await response.Content.ReadAsStringAsync());
        Assert.Equal(IPAddress.Loopback.ToString(), server.BaseAddress.Host);

        using var missing = await http.PostAsync("/other", new StringContent("body"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task Delays_closes_and_resets()
    {
        await using var server = StubServer.Start();
        server.On("/slow").WithDelay(TimeSpan.FromMilliseconds(300)).Respond(200, "late");
        server.On("/close").CloseConnection();
        server.On("/reset").ResetConnection();
        server.On("/once").Respond(200, "bye").ThenClose();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var clock = Stopwatch.StartNew();
        Assert.Equal("late", await http.GetStringAsync("/slow"));
        Assert.True(clock.ElapsedMilliseconds >= 280, $"{clock.ElapsedMilliseconds} ms");

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/close"));
        var reset = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/reset"));
        Assert.Contains("reset", reset.ToString(), StringComparison.OrdinalIgnoreCase);

        using var once = await http.GetAsync("/once");
        Assert.True(once.Headers.ConnectionClose);
    }
}
