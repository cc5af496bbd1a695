using System.Text.Json;
using LeakHound.Recording;
using LeakHound.Tests.Alerting;

namespace LeakHound.Cli.Tests;

public sealed class AlertCommandTests
{
    [Fact]
    public async Task A_leak_fires_once_and_its_recovery_resolves_once_at_every_notifier()
    {
        await using var smtp = new TestSmtpServer();
        await using var hook = new TestWebhook();
        await using var broken = new TestWebhook { Status = 500 };
        using var dir = new TempDir();
        var value = dir.File("close_wait.txt");
        var script = dir.File("page.sh");
        await File.WriteAllTextAsync(value, "0");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\ncat >> '{dir.File("exec.log")}'\necho >> '{dir.File("exec.log")}'\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var db = dir.File("alerts.db");

        var watch = ChildProcess.RunLeakHoundAsync(
            TimeSpan.FromSeconds(120),
            "watch", "--command", $"close_wait=cat {value}", "--interval", "200ms", "--count", "90", "--out", db,
            "--alert", "command.close_wait > 5",
            "--notify", $"smtp://127.0.0.1:{smtp.Port}?from=lh@test&to=oncall@test&tls=none",
            "--notify", hook.Url,
            "--notify", broken.Url,
            "--notify", "exec:" + script);

        // A leak that climbs past 5, hovers around it (no storm), then is fixed.
        foreach (var v in new[] { 1, 3, 5, 7, 9, 6, 8, 6, 9, 7, 8, 0 })
        {
            await File.WriteAllTextAsync(value, v.ToString());
            await Task.Delay(600);
        }

        var result = await watch;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, smtp.Messages.Count);
        Assert.Contains("FIRING", smtp.Messages.First());
        Assert.Contains("RESOLVED", smtp.Messages.Last());
        Assert.Equal(["firing", "resolved"], hook.Bodies.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("kind").GetString()));
        Assert.Equal(2, File.ReadAllLines(dir.File("exec.log")).Count(l => l.Length > 0));

        var stored = RecordingReader.Read(db);
        Assert.Equal(2, stored.Events.Count(e => e.Kind == EventKind.Alert));
        var deliveries = stored.Events.Where(e => e.Kind == EventKind.Delivery).Select(e => e.Detail).ToList();
        Assert.Equal(6, deliveries.Count(d => d.Contains(" delivered to ") && !d.Contains("NOT delivered")));
        Assert.Equal(2, deliveries.Count(d => d.Contains("NOT delivered to") && d.Contains("500")));
        Assert.Contains("NOT delivered", result.Stdout);
    }

    [Fact]
    public async Task Alert_test_reports_each_notifier_and_fails_when_one_did_not_deliver()
    {
        await using var hook = new TestWebhook();
        int deadPort;
        await using (var gone = new TestSmtpServer())
        {
            deadPort = gone.Port;
        }

        var result = await ChildProcess.RunLeakHoundAsync(
            "alert", "test", "--notify", hook.Url, "--notify", $"smtp://me:Sup3rSecret@127.0.0.1:{deadPort}?to=a@test&tls=none");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("delivered", result.Stdout);
        Assert.Contains("NOT delivered", result.Stdout);
        Assert.DoesNotContain("Sup3rSecret", result.Stdout + result.Stderr);
        Assert.Equal("test", JsonDocument.Parse(Assert.Single(hook.Bodies)).RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Alert_test_json_gives_one_delivery_per_notifier()
    {
        await using var hook = new TestWebhook();
        int deadPort;
        await using (var gone = new TestSmtpServer())
        {
            deadPort = gone.Port;
        }

        var result = await ChildProcess.RunLeakHoundAsync(
            "alert", "test", "--json", "--notify", hook.Url, "--notify", $"smtp://me:Sup3rSecret@127.0.0.1:{deadPort}?to=a@test&tls=none");

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("Sup3rSecret", result.Stdout + result.Stderr);
        var deliveries = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, deliveries.Count);
        var webhook = deliveries.Single(d => d.GetProperty("notifier").GetString()!.StartsWith("http", StringComparison.Ordinal));
        Assert.True(webhook.GetProperty("delivered").GetBoolean());
        Assert.Equal(JsonValueKind.Null, webhook.GetProperty("error").ValueKind);
        var smtp = deliveries.Single(d => d.GetProperty("notifier").GetString()!.StartsWith("smtp", StringComparison.Ordinal));
        Assert.False(smtp.GetProperty("delivered").GetBoolean());
        Assert.Contains("me:***@", smtp.GetProperty("notifier").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(smtp.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task A_bad_rule_says_where_and_exits_2()
    {
        var result = await ChildProcess.RunLeakHoundAsync("watch", "--command", "x=echo 1", "--alert", "command.x > lots", "--count", "1", "--out", "/tmp/never-alert.db");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("expected a number at column 13, found 'lots'", result.Stderr);
    }

    [Fact]
    public async Task A_config_file_gives_rules_and_notifiers_and_bad_keys_are_located()
    {
        await using var hook = new TestWebhook();
        using var dir = new TempDir();
        var good = dir.File("good.yaml");
        await File.WriteAllTextAsync(good, $"alerts:\n  - command.x > 0\nnotify:\n  - {hook.Url}\n");
        var result = await ChildProcess.RunLeakHoundAsync("watch", "--command", "x=echo 3", "--config", good, "--interval", "100ms", "--count", "3", "--out", dir.File("c.db"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("firing", JsonDocument.Parse(Assert.Single(hook.Bodies)).RootElement.GetProperty("kind").GetString());

        var bad = dir.File("bad.yaml");
        await File.WriteAllTextAsync(bad, "alerts:\n  - command.x > 0\nnotfy:\n  - x\n");
        var error = await ChildProcess.RunLeakHoundAsync("watch", "--command", "x=echo 3", "--config", bad, "--count", "1");
        Assert.Equal(2, error.ExitCode);
        Assert.Contains("bad.yaml:3:", error.Stderr);
    }

    [Fact]
    public async Task A_digest_goes_out_on_schedule_with_the_numbers_whether_or_not_anything_fires()
    {
        await using var hook = new TestWebhook();
        using var dir = new TempDir();

        var result = await ChildProcess.RunLeakHoundAsync(
            "watch", "--command", "close_wait=echo 42", "--interval", "200ms", "--count", "14", "--out", dir.File("d.db"),
            "--digest", "1s", "--notify", hook.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        var digests = hook.Bodies.Select(b => JsonDocument.Parse(b).RootElement).ToList();
        Assert.InRange(digests.Count, 2, 3);
        Assert.All(digests, d => Assert.Equal("digest", d.GetProperty("kind").GetString()));
        Assert.Contains("command.close_wait = 42", digests[0].GetProperty("text").GetString());
    }
}
