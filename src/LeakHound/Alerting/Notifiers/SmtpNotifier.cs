using System.Web;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace LeakHound.Alerting.Notifiers;

/// <summary>
/// E-mail through MailKit: <c>smtp://[user:password@]host:port?from=…&amp;to=…[,…]&amp;tls=none|starttls|tls</c>.
/// The password may come from LEAKHOUND_SMTP_PASSWORD instead, to keep it out of shell history.
/// </summary>
internal sealed class SmtpNotifier : INotifier
{
    private readonly string _host;
    private readonly int _port;
    private readonly string? _user;
    private readonly string? _password;
    private readonly MailboxAddress _from;
    private readonly IReadOnlyList<MailboxAddress> _to;
    private readonly SecureSocketOptions _tls;

    private SmtpNotifier(string host, int port, string? user, string? password, MailboxAddress from, IReadOnlyList<MailboxAddress> to, SecureSocketOptions tls, string description)
    {
        _host = host;
        _port = port;
        _user = user;
        _password = password;
        _from = from;
        _to = to;
        _tls = tls;
        Description = description;
    }

    public string Description { get; }

    public static SmtpNotifier Parse(Uri uri)
    {
        var description = Secrets.MaskUrl(uri.OriginalString);
        var query = HttpUtility.ParseQueryString(uri.Query);
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            password ??= Environment.GetEnvironmentVariable("LEAKHOUND_SMTP_PASSWORD");
        }

        var from = Address(query["from"] ?? "leakhound@" + Environment.MachineName, "from", description);
        var to = (query.GetValues("to") ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(t => Address(t, "to", description)).ToList();
        if (to.Count == 0)
        {
            throw new UsageException($"--notify {description}: say who gets the mail with ?to=someone@example.com.");
        }

        var tls = (query["tls"] ?? (uri.Port == 465 ? "tls" : "starttls")).ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "starttls" => SecureSocketOptions.StartTls,
            "tls" => SecureSocketOptions.SslOnConnect,
            var other => throw new UsageException($"--notify {description}: tls={other} is not one of none, starttls, tls."),
        };
        return new SmtpNotifier(uri.Host, uri.Port > 0 ? uri.Port : 25, user, password, from, to, tls, description);
    }

    public async Task SendAsync(AlertNotice notice, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(_from);
        message.To.AddRange(_to);
        message.Subject = AlertText.Subject(notice);
        var body = new BodyBuilder { TextBody = AlertText.Body(notice) };
        if (notice.Chart is { Length: > 0 } png)
        {
            body.Attachments.Add("leakhound.png", png, new ContentType("image", "png"));
        }

        message.Body = body.ToMessageBody();
        using var client = new SmtpClient { Timeout = 15_000 };
        await client.ConnectAsync(_host, _port, _tls, cancellationToken).ConfigureAwait(false);
        if (_user is not null)
        {
            await client.AuthenticateAsync(_user, _password ?? "", cancellationToken).ConfigureAwait(false);
        }

        await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
    }

    private static MailboxAddress Address(string text, string what, string description) =>
        MailboxAddress.TryParse(text, out var address)
            ? address
            : throw new UsageException($"--notify {description}: {what}={text} is not an e-mail address.");
}
