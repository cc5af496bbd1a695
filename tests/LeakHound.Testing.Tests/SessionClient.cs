using System.Net;

namespace LeakHound.Testing.Tests;

/// <summary>Seed 002's client method, in C#.</summary>
public sealed class SessionClient(HttpClient http)
{
    /// <summary>Checks the session with ResponseHeadersRead and never disposes the response.</summary>
    public async Task<bool> IsSessionActiveLeakyAsync()
    {
        var response = await http.GetAsync("/session", HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode == HttpStatusCode.OK;
    }

    public async Task<bool> IsSessionActiveFixedAsync()
    {
        using var response = await http.GetAsync("/session", HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode == HttpStatusCode.OK;
    }
}
