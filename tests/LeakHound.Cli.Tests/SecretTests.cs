using System.Text;
using LeakHound.Tests.Alerting;

namespace LeakHound.Cli.Tests;

/// <summary>Passwords and tokens given to LeakHound appear in no output, no store and no message.</summary>
public sealed class SecretTests
{
    [Fact]
    public async Task Notifier_secrets_never_reach_output_or_store()
    {
        const string Password = "Pl4nted-SMTP-Secret";
        const string Token = "Pl4nted-Hook-Token";
        int deadPort;
        await using (var gone = new TestSmtpServer())
        {
            deadPort = gone.Port;
        }

        await using var hook = new TestWebhook { Status = 500 };
        using var dir = new TempDir();
        var db = dir.File("secrets.db");

        var result = await ChildProcess.RunLeakHoundAsync(
            "watch", "--command", "x=echo 9", "--interval", "200ms", "--count", "10", "--out", db,
            "--alert", "command.x > 1",
            "--notify", $"smtp://oncall:{Password}@127.0.0.1:{deadPort}?to=a@test&tls=none",
            "--notify", $"{hook.Url}?token={Token}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("NOT delivered", result.Stdout);
        var everything = new StringBuilder(result.Stdout).Append(result.Stderr);
        foreach (var file in Directory.GetFiles(dir.Path))
        {
            everything.Append(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
        }

        Assert.DoesNotContain(Password, everything.ToString());
        Assert.DoesNotContain(Token, everything.ToString());
        Assert.Contains("oncall:***@", everything.ToString());
    }
}
