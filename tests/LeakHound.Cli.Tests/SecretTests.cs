using System.Net.Http.Headers;
using System.Text;
using LeakHound.Cli.Tests.Serve;
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

    [Fact]
    public async Task Serve_token_and_notifier_secrets_never_reach_its_answers_or_what_is_made_from_its_store()
    {
        const string Password = "Pl4nted-SMTP-Secret";
        const string Token = "Pl4nted-Serve-Token-0123456789";
        using var dir = new TempDir();
        var db = dir.File("serve-secrets.db");
        var everything = new StringBuilder();

        using (var serve = await ServeProcess.StartAsync(
            "--token", Token, "--command", "x=echo 9", "--interval", "100ms", "--count", "10", "--out", db,
            "--alert", "command.x > 1", "--notify", $"smtp://oncall:{Password}@127.0.0.1:{ServeFixtures.FreePort()}?to=a@test&tls=none"))
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            // The delivery fails (nothing listens) after the ten rounds: the dashboard still shows it.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string alerts;
            while (!(alerts = await http.GetStringAsync(serve.Url + "/api/alerts")).Contains("NOT delivered", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "the failed delivery never reached /api/alerts: " + alerts);
                await Task.Delay(100);
            }

            foreach (var path in new[] { "/", "/api/status", "/api/series", "/api/alerts", "/api/verdicts", "/api/charts", "/metrics", "/assets/dashboard.js" })
            {
                everything.Append(await http.GetStringAsync(serve.Url + path));
            }

            // The browser's way in: the token once in the address, a session cookie after.
            using var login = await new HttpClient().GetAsync($"{serve.Url}/?token={Token}");
            everything.Append(login.Headers).Append(await login.Content.ReadAsStringAsync());
        }

        foreach (var args in new[] { new[] { "export", db, "--csv", "-" }, ["analyze", db], ["plot", db, "--out", dir.File("report.html")] })
        {
            var result = await ChildProcess.RunLeakHoundAsync(args);
            everything.Append(result.Stdout).Append(result.Stderr);
        }

        foreach (var file in Directory.GetFiles(dir.Path))
        {
            everything.Append(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
        }

        var text = everything.ToString();
        Assert.Contains("leakhound_command_x", text, StringComparison.Ordinal); // the answers were read
        Assert.Contains("oncall:***@", text, StringComparison.Ordinal); // the failed delivery was recorded and shown
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
    }
}
