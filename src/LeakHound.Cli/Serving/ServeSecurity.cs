using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace LeakHound.Cli.Serving;

/// <summary>
/// Who may bind where and who may ask: loopback needs nothing, any other address needs <c>--token</c>; with a token,
/// every request must carry it (Bearer header, <c>token</c> query parameter, or the session cookie the dashboard got
/// when it was opened with the query parameter), compared in constant time.
/// </summary>
internal sealed class ServeSecurity
{
    public const string CookieName = "leakhound_session";

    private readonly byte[]? _token;
    private readonly byte[]? _session;

    public ServeSecurity(string? token)
    {
        if (token is null)
        {
            return;
        }

        _token = SHA256.HashData(Encoding.UTF8.GetBytes(token));

        // The cookie holds a value derived from the token, not the token: a leaked cookie does not give the token away.
        _session = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), "leakhound dashboard session"u8)));
    }

    public bool Required => _token is not null;

    /// <summary>The session cookie's value, for a request that showed the token.</summary>
    public string SessionValue => Encoding.ASCII.GetString(_session ?? []);

    /// <summary>Refuses a token too short to resist guessing, and a non-loopback bind without one.</summary>
    public static void CheckBinding(IReadOnlyList<string> urls, string? token)
    {
        if (token is { } t && (t.Length < 16 || string.IsNullOrWhiteSpace(t)))
        {
            throw new UsageException("--token must be at least 16 characters (e.g. openssl rand -hex 16).");
        }

        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--urls '{url}' is not an http:// address such as http://127.0.0.1:9464.");
            }

            if (token is null && !IsLoopback(uri.Host))
            {
                throw new UsageException($"--urls {url} is not a loopback address: anyone who can reach it would see the dashboard; add --token (or bind 127.0.0.1).");
            }
        }
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>How this request showed the token, or <see cref="Presented.None"/>.</summary>
    public Presented Check(HttpRequest request)
    {
        if (_token is null)
        {
            return Presented.NotRequired;
        }

        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && MatchesToken(header["Bearer ".Length..].Trim()))
        {
            return Presented.Header;
        }

        if (request.Query.TryGetValue("token", out var query) && query.Count == 1 && MatchesToken(query[0]!))
        {
            return Presented.Query;
        }

        if (request.Cookies.TryGetValue(CookieName, out var cookie) && Matches(_session!, cookie))
        {
            return Presented.Cookie;
        }

        return Presented.None;
    }

    /// <summary>Compares hashes, so neither the token's content nor its length shows in the time taken.</summary>
    private bool MatchesToken(string given) =>
        CryptographicOperations.FixedTimeEquals(_token, SHA256.HashData(Encoding.UTF8.GetBytes(given)));

    private static bool Matches(byte[] expected, string given) =>
        CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(given));

    public enum Presented
    {
        None,
        NotRequired,
        Header,
        Query,
        Cookie,
    }
}
