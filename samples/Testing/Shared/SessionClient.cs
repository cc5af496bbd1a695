using System.Net;

namespace Shop;

/// <summary>Seed 002's session check, in C#: is the user's session active according to the session service?</summary>
public sealed class SessionClient(HttpClient http)
{
    /// <summary>The bug: the response is never disposed. With a body (a load balancer's 403 page) its connection stays taken.</summary>
    public async Task<bool> IsSessionActiveAsync()
    {
        var response = await http.GetAsync("/session", HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>The fix.</summary>
    public async Task<bool> IsSessionActiveFixedAsync()
    {
        using var response = await http.GetAsync("/session", HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode == HttpStatusCode.OK;
    }
}

/// <summary>One downstream answering like the real load balancer, and one long-lived client, as in the service.</summary>
public static class Downstream
{
    public static readonly LeakHound.Testing.StubServer Server = Start();

    public static readonly HttpClient Http = new(new LeakHound.Testing.LeakTrackingHandler(new SocketsHttpHandler())) { BaseAddress = Server.BaseAddress };

    private static LeakHound.Testing.StubServer Start()
    {
        var server = LeakHound.Testing.StubServer.Start();
        server.On("GET", "/session").Respond(403).WithHtml(LeakHound.Testing.StubServer.LoadBalancerForbiddenPage);
        return server;
    }
}
