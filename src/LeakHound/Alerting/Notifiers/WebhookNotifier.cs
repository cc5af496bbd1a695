using System.Net.Http.Headers;
using System.Text.Json;
using System.Web;

namespace LeakHound.Alerting.Notifiers;

/// <summary>
/// An HTTP POST of the alert as JSON; <c>?format=slack</c> or <c>?format=teams</c> posts those services' payloads
/// (the parameter is ours and is not sent on).
/// </summary>
internal sealed class WebhookNotifier : INotifier
{
    // One client for the process: a notifier must not leak connections of its own.
    private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(15),
    };

    private readonly Uri _target;
    private readonly string _format;

    private WebhookNotifier(Uri target, string format, string description)
    {
        _target = target;
        _format = format;
        Description = description;
    }

    public string Description { get; }

    public static WebhookNotifier Parse(Uri uri)
    {
        var query = HttpUtility.ParseQueryString(uri.Query);
        var format = (query["format"] ?? "json").ToLowerInvariant();
        if (format is not ("json" or "slack" or "teams"))
        {
            throw new UsageException($"--notify {Secrets.MaskUrl(uri.OriginalString)}: format={format} is not one of json, slack, teams.");
        }

        query.Remove("format");
        var target = new UriBuilder(uri) { Query = query.ToString() ?? "" }.Uri;
        return new WebhookNotifier(target, format, Secrets.MaskUrl(uri.OriginalString));
    }

    public async Task SendAsync(AlertNotice notice, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(Payload(notice));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        // Alerts are rare: a kept-alive connection would only sit idle, and in CLOSE_WAIT once the far side drops it.
        using var request = new HttpRequestMessage(HttpMethod.Post, _target) { Content = content };
        request.Headers.ConnectionClose = true;
        using var response = await Client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    private byte[] Payload(AlertNotice notice)
    {
        if (_format == "json")
        {
            return AlertJson.Serialize(notice);
        }

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            if (_format == "slack")
            {
                json.WriteString("text", $"*{Slack(AlertText.Subject(notice))}*\n```{Slack(AlertText.Body(notice))}```");
            }
            else
            {
                json.WriteString("@type", "MessageCard");
                json.WriteString("@context", "https://schema.org/extensions");
                var subject = HttpUtility.HtmlEncode(AlertText.Subject(notice));
                json.WriteString("summary", subject);
                json.WriteString("themeColor", notice.Kind == NoticeKind.Resolved ? "2EB886" : "D63333");
                json.WriteString("title", subject);
                json.WriteString("text", HttpUtility.HtmlEncode(AlertText.Body(notice)).Replace("\n", "  \n", StringComparison.Ordinal));
            }

            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Slack reads &lt;…&gt; as links and mentions (&lt;!channel&gt;) even in code: a peer or process name must not ping
    /// a channel or break out of the code block. Its escapes are these three entities; backticks become look-alikes.
    /// </summary>
    private static string Slack(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace('`', '\u02CB');
}
