using LeakHound.Alerting;

namespace LeakHound.Tests.Alerting;

/// <summary>A config file's mistakes are said in the file's terms, with its line and column; never YamlDotNet's types.</summary>
public sealed class AlertConfigTests
{
    [Theory]
    [InlineData("alerts:\n  - process.fds > 90% of limit\nwebhook: x\n", "alerts.yaml:3:1: unknown setting; expected alerts, notify, repeat, digest or capacity")]
    [InlineData("alerts:\n  - rule: \"command.x > 1\"\n", "alerts.yaml:2:5: expected one line of text here (a rule, a notifier or a duration)")]
    [InlineData("capacity: lots\n", "alerts.yaml:1:11: expected a number here (as in capacity: 1024)")]
    [InlineData("alerts: {a: 1}\n", "alerts.yaml:1:9: expected a list here, one entry per line starting with '- '")]
    [InlineData("repeat: [1, 2]\n", "alerts.yaml:1:9: expected one line of text here (a rule, a notifier or a duration)")]
    [InlineData("alerts:\n  - command.x >> 5\n", "alerts.yaml: alert rule 'command.x >> 5': expected a number at column 12, found '>'.")]
    public void Mistakes_are_located_and_said_in_the_files_terms(string text, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("leakhound-config-");
        try
        {
            var path = Path.Combine(dir.FullName, "alerts.yaml");
            File.WriteAllText(path, text);

            var error = Assert.Throws<UsageException>(() => AlertConfig.Load(path));

            Assert.EndsWith(expected, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("System.", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_good_file_gives_its_rules_notifiers_and_settings()
    {
        var dir = Directory.CreateTempSubdirectory("leakhound-config-");
        try
        {
            var path = Path.Combine(dir.FullName, "alerts.yaml");
            File.WriteAllText(path, "alerts:\n  - process.fds > 90% of limit for 2m\nnotify:\n  - exec:/bin/true\nrepeat: 4h\ncapacity: 1024\n");

            var config = AlertConfig.Load(path);

            Assert.Equal(["process.fds > 90% of limit for 2m"], config.Alerts);
            Assert.Equal(["exec:/bin/true"], config.Notify);
            Assert.Equal("4h", config.Repeat);
            Assert.Equal(1024, config.Capacity);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
