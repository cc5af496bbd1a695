using System.Text.Json;
using LeakHound.Alerting;
using LeakHound.Alerting.Notifiers;
using LeakHound.Samples;

namespace LeakHound.Tests.Alerting;

public sealed class NotifierTests
{
    private static readonly RetryPolicy Quick = new(3, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));

    /// <summary>A peer name that tries a mail header, a Slack mention and link, leaving a code block, and an ANSI escape.</summary>
    private const string HostilePeer = "evil\r\nBcc: thief@evil.test\r\n<!channel> <https://evil.test|click> ``` \u001b[2J<b>x</b>";

    private static AlertNotice Firing(string peer = "10.0.0.5:8080") => new()
    {
        Kind = NoticeKind.Firing,
        Rule = "process.tcp.connections{state=close_wait} > 500",
        Series = SeriesKey.Of(MetricNames.TcpPeerConnections, ("peer", peer), ("state", "close_wait")),
        Time = DateTimeOffset.UtcNow,
        Since = DateTimeOffset.UtcNow.AddMinutes(-3),
        Value = 768,
        Capacity = 1024,
        TopPeers = [new(peer, 768)],
        Pid = 4242,
        Process = "api",
    };

    [Fact]
    public async Task Smtp_delivers_to_a_real_listener_with_the_chart_attached()
    {
        await using var smtp = new TestSmtpServer();
        var notifier = Notifiers.Parse($"smtp://127.0.0.1:{smtp.Port}?from=leakhound@test&to=oncall@test,lead@test&tls=none");

        var delivery = await Quick.SendAsync(notifier, Firing() with { Chart = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3] }, CancellationToken.None);

        Assert.True(delivery.Delivered, delivery.Error);
        var message = Assert.Single(smtp.Messages);
        Assert.Contains("Subject: [LeakHound] FIRING:", message);
        Assert.Contains("oncall@test", message);
        Assert.Contains("75% of 1,024", message);
        Assert.Contains("api (PID 4242)", message);
        Assert.Contains("image/png", message);
    }

    [Fact]
    public async Task Smtp_keeps_a_hostile_peer_name_to_one_line_of_text()
    {
        await using var smtp = new TestSmtpServer();
        var notifier = Notifiers.Parse($"smtp://127.0.0.1:{smtp.Port}?from=leakhound@test&to=oncall@test&tls=none");

        var delivery = await Quick.SendAsync(notifier, Firing(HostilePeer), CancellationToken.None);

        Assert.True(delivery.Delivered, delivery.Error);
        using var raw = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Assert.Single(smtp.Messages)));
        var message = await MimeKit.MimeMessage.LoadAsync(raw);
        Assert.Empty(message.Bcc);
        Assert.Equal("oncall@test", Assert.Single(message.To.Mailboxes).Address);
        Assert.DoesNotContain(message.Subject ?? "", char.IsControl);
        Assert.Contains("Bcc: thief@evil.test", message.Subject, StringComparison.Ordinal); // still there, as text
        Assert.DoesNotContain(message.TextBody ?? "", c => char.IsControl(c) && c is not ('\r' or '\n'));
        Assert.DoesNotContain((message.TextBody ?? "").Split('\n'), line => line.StartsWith("Bcc:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dead_smtp_server_is_retried_and_reported_not_thrown()
    {
        int port;
        await using (var gone = new TestSmtpServer())
        {
            port = gone.Port;
        }

        var notifier = Notifiers.Parse($"smtp://u:s3cret-pw@127.0.0.1:{port}?to=oncall@test&tls=none");
        var delivery = await Quick.SendAsync(notifier, Firing(), CancellationToken.None);

        Assert.False(delivery.Delivered);
        Assert.Equal(3, delivery.Attempts);
        Assert.NotNull(delivery.Error);
        Assert.DoesNotContain("s3cret-pw", delivery.ToString());
        Assert.DoesNotContain("s3cret-pw", notifier.Description);
    }

    [Fact]
    public async Task Webhook_posts_the_alert_as_json()
    {
        await using var hook = new TestWebhook();
        var delivery = await Quick.SendAsync(Notifiers.Parse(hook.Url), Firing(), CancellationToken.None);

        Assert.True(delivery.Delivered, delivery.Error);
        var json = JsonDocument.Parse(Assert.Single(hook.Bodies)).RootElement;
        Assert.Equal("firing", json.GetProperty("kind").GetString());
        Assert.Equal(768, json.GetProperty("value").GetDouble());
        Assert.Equal(0.75, json.GetProperty("share_of_capacity").GetDouble());
        Assert.Equal("close_wait", json.GetProperty("labels").GetProperty("state").GetString());
        Assert.Equal(4242, json.GetProperty("pid").GetInt32());
    }

    [Theory]
    [InlineData("slack", "text")]
    [InlineData("teams", "@type")]
    public async Task Webhook_speaks_slack_and_teams(string format, string property)
    {
        await using var hook = new TestWebhook();
        var delivery = await Quick.SendAsync(Notifiers.Parse($"{hook.Url}?format={format}"), Firing(), CancellationToken.None);

        Assert.True(delivery.Delivered, delivery.Error);
        var json = JsonDocument.Parse(Assert.Single(hook.Bodies)).RootElement;
        Assert.Contains("FIRING", json.GetProperty(property == "text" ? "text" : "title").GetString());
        Assert.True(json.TryGetProperty(property, out _));
    }

    [Fact]
    public async Task Slack_and_teams_show_a_hostile_peer_name_as_text()
    {
        await using var hook = new TestWebhook();
        Assert.True((await Quick.SendAsync(Notifiers.Parse($"{hook.Url}?format=slack"), Firing(HostilePeer), CancellationToken.None)).Delivered);
        Assert.True((await Quick.SendAsync(Notifiers.Parse($"{hook.Url}?format=teams"), Firing(HostilePeer), CancellationToken.None)).Delivered);

        var slack = JsonDocument.Parse(hook.Bodies.First()).RootElement.GetProperty("text").GetString()!;
        Assert.DoesNotContain("<!channel>", slack, StringComparison.Ordinal); // would notify everyone in the channel
        Assert.DoesNotContain("<https://evil.test", slack, StringComparison.Ordinal);
        Assert.Contains("&lt;!channel&gt;", slack, StringComparison.Ordinal);
        Assert.Equal(2, slack.Split("```").Length - 1); // our code block, and nothing that closes it early
        var teams = JsonDocument.Parse(hook.Bodies.Last()).RootElement;
        foreach (var field in new[] { "title", "summary", "text" })
        {
            Assert.DoesNotContain("<b>", teams.GetProperty(field).GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_webhook_answering_500_is_retried_then_reported()
    {
        await using var hook = new TestWebhook { Status = 500 };
        var delivery = await Quick.SendAsync(Notifiers.Parse(hook.Url), Firing(), CancellationToken.None);

        Assert.False(delivery.Delivered);
        Assert.Equal(3, hook.Requests);
        Assert.Contains("500", delivery.Error);
    }

    [Fact]
    public async Task Exec_gets_hostile_labels_only_as_data()
    {
        var dir = Directory.CreateTempSubdirectory("leakhound-exec-");
        try
        {
            var script = Path.Combine(dir.FullName, "notify.sh");
            var canary = Path.Combine(dir.FullName, "pwned");
            await File.WriteAllTextAsync(script, $"#!/bin/sh\ncat > '{dir.FullName}/stdin.json'\nenv | grep ^LEAKHOUND_ALERT_ > '{dir.FullName}/env.txt'\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var hostile = $"$(touch {canary}); rm -rf {dir.FullName}/x `touch {canary}`";

            var delivery = await Quick.SendAsync(Notifiers.Parse("exec:" + script), Firing(hostile), CancellationToken.None);

            Assert.True(delivery.Delivered, delivery.Error);
            Assert.False(File.Exists(canary), "the label was executed");
            var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.FullName, "stdin.json"))).RootElement;
            Assert.Equal(hostile, json.GetProperty("labels").GetProperty("peer").GetString());
            Assert.Contains("LEAKHOUND_ALERT_KIND=firing", await File.ReadAllTextAsync(Path.Combine(dir.FullName, "env.txt")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_failing_exec_program_is_reported_with_its_error()
    {
        var delivery = await Quick.SendAsync(Notifiers.Parse("exec:/bin/false"), Firing(), CancellationToken.None);

        Assert.False(delivery.Delivered);
        Assert.Contains("exited with code 1", delivery.Error);
    }

    [Theory]
    [InlineData("smtp://user:hunter2@mail:587?to=a@b", "hunter2")]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXXSECRET", "XXXXSECRET")]
    [InlineData("https://example.com/hook?token=abc123secret&format=slack", "abc123secret")]
    public void Secrets_are_masked_in_descriptions(string url, string secret) =>
        Assert.DoesNotContain(secret, Secrets.MaskUrl(url));

    [Theory]
    [InlineData("ftp://x", "unknown kind")]
    [InlineData("smtp://mail:25", "?to=")]
    [InlineData("smtp://mail:25?to=a@b&tls=maybe", "tls=maybe")]
    [InlineData("exec:relative/path", "absolute path")]
    [InlineData("https://x/hook?format=xml", "format=xml")]
    public void Bad_notifiers_are_usage_errors(string text, string mentioned)
    {
        var error = Assert.ThrowsAny<UsageException>(() => Notifiers.Parse(text));
        Assert.Contains(mentioned, error.Message);
    }
}
