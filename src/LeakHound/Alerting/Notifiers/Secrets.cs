using System.Text.RegularExpressions;

namespace LeakHound.Alerting.Notifiers;

/// <summary>Keeps passwords and tokens out of everything LeakHound prints, logs or stores.</summary>
public static partial class Secrets
{
    /// <summary>
    /// A URL for people: the password in user:password@ and the values of token-like query parameters replaced by ***.
    /// Webhook paths often are the secret (Slack's, Teams'), so a path is shown only by its first segment.
    /// </summary>
    public static string MaskUrl(string url)
    {
        var masked = UserInfoPassword().Replace(url, "$1***@");
        masked = SecretParameter().Replace(masked, "$1=***");
        if (Uri.TryCreate(masked, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var path = segments.Length switch
            {
                0 => "/",
                1 => "/" + segments[0],
                _ => "/" + segments[0] + "/***",
            };
            var query = uri.Query.Length > 0 ? SecretParameter().Replace(uri.Query, "$1=***") : "";
            return $"{uri.Scheme}://{uri.Authority}{path}{query}";
        }

        return masked;
    }

    [GeneratedRegex(@"(//[^:/@\s]+:)[^@/\s]*@")]
    private static partial Regex UserInfoPassword();

    [GeneratedRegex(@"([?&](?:token|key|secret|password|pass|sig|signature|api[_-]?key|access[_-]?token))=[^&\s]*", RegexOptions.IgnoreCase)]
    private static partial Regex SecretParameter();
}
