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
            // YamlDotNet's message for an unknown key names the property and type; say it in the file's terms.
            var what = (e.InnerException?.Message ?? e.Message).ReplaceLineEndings(" ");
            if (what.Contains("not found on type", StringComparison.Ordinal))
            {
                what = "unknown setting; expected alerts, notify, repeat, digest or capacity";
            }

            throw new UsageException($"{path}:{e.Start.Line}:{e.Start.Column}: {what}");
        }
    }
}
