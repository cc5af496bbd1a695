using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace LeakHound.Alerting;

/// <summary>
/// A <c>--config</c> file (YAML, or JSON, which YAML reads too):
/// <code>
/// alerts:
///   - process.tcp.connections{state=close_wait} > 500
///   - process.fds > 90% of limit for 2m
/// notify:
///   - smtp://alerts@example.com@mail.example.com:587?to=oncall@example.com
/// repeat: 4h
/// digest: 4h
/// capacity: 1024
/// </code>
/// </summary>
public sealed class AlertConfig
{
    public List<string> Alerts { get; set; } = [];

    public List<string> Notify { get; set; } = [];

    public string? Repeat { get; set; }

    public string? Digest { get; set; }

    public double? Capacity { get; set; }

    public static AlertConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read the config file {path}: {e.Message}");
        }

        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        try
        {
            var config = deserializer.Deserialize<AlertConfig?>(text) ?? new AlertConfig();

            // "alerts:" with nothing under it reads as null, whatever the property's type says.
            config.Alerts ??= [];
            config.Notify ??= [];
            if (config.Alerts.Any(string.IsNullOrWhiteSpace) || config.Notify.Any(string.IsNullOrWhiteSpace))
            {
                throw new UsageException($"{path}: an entry under alerts or notify is empty.");
            }

            foreach (var rule in config.Alerts)
            {
                try
                {
                    AlertRuleParser.Parse(rule);
                }
                catch (AlertRuleException e)
                {
                    throw new UsageException($"{path}: {e.Message}");
                }
            }

            return config;
        }
        catch (YamlException e)
        {
            throw new UsageException($"{path}:{e.Start.Line}:{e.Start.Column}: {Explain((e.InnerException?.Message ?? e.Message).ReplaceLineEndings(" "))}");
        }
    }

    /// <summary>YamlDotNet's messages name .NET types and parser events; say the same in the file's terms.</summary>
    private static string Explain(string what) =>
        what.Contains("not found on type", StringComparison.Ordinal) ? "unknown setting; expected alerts, notify, repeat, digest or capacity"
        : what.Contains("SequenceStart", StringComparison.Ordinal) ? "expected a list here, one entry per line starting with '- '"
        : what.Contains("System.String", StringComparison.Ordinal) ? "expected one line of text here (a rule, a notifier or a duration)"
        : what.Contains("not in a correct format", StringComparison.Ordinal) || what.Contains("System.Double", StringComparison.Ordinal)
            ? "expected a number here (as in capacity: 1024)"
        : what;
}
