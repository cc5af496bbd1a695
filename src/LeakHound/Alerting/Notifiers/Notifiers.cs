namespace LeakHound.Alerting.Notifiers;

/// <summary>Builds a notifier from its <c>--notify</c> text: <c>smtp://…</c>, <c>http(s)://…</c> or <c>exec:/path</c>.</summary>
public static class Notifiers
{
    public static INotifier Parse(string text)
    {
        if (text.StartsWith("exec:", StringComparison.OrdinalIgnoreCase))
        {
            return ExecNotifier.Parse(text["exec:".Length..]);
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw new UsageException($"--notify '{Secrets.MaskUrl(text)}' is not a URL: use smtp://host:port?from=…&to=…, https://… or exec:/path/to/program.");
        }

        return uri.Scheme.ToLowerInvariant() switch
        {
            "smtp" => SmtpNotifier.Parse(uri),
            "http" or "https" => WebhookNotifier.Parse(uri),
            _ => throw new UsageException($"--notify '{Secrets.MaskUrl(text)}': unknown kind '{uri.Scheme}'; use smtp://, http://, https:// or exec:."),
        };
    }
}
