using System.CommandLine;
using LeakHound.Alerting;
using LeakHound.Alerting.Notifiers;

namespace LeakHound.Cli;

/// <summary>The alert options shared by <c>watch</c> and <c>alert test</c>, merged with a <c>--config</c> file.</summary>
internal sealed class AlertSettings
{
    public Option<string[]> Alert { get; } = new("--alert")
    {
        Description = "An alert rule, e.g. 'process.tcp.connections{state=close_wait} > 500' or 'process.fds > 90% of limit for 2m' (repeatable; grammar in the README).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string[]> Notify { get; } = new("--notify")
    {
        Description = "Where alerts go: smtp://[user:password@]host:port?from=…&to=…&tls=none|starttls|tls, https://… (?format=slack|teams) or exec:/path (repeatable).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string?> Config { get; } = new("--config") { Description = "A YAML or JSON file with alerts, notify, repeat, digest and capacity." };

    public Option<string?> Repeat { get; } = new("--repeat") { Description = "While an alert fires, a reminder this often (default 4h; 0 for none)." };

    public Option<string?> Digest { get; } = new("--digest") { Description = "Send the current numbers, verdicts and chart this often (e.g. 4h), whether or not anything fires." };

    public IEnumerable<Option> All => [Alert, Notify, Config, Repeat, Digest];

    public Resolved Resolve(ParseResult parse, double? capacity, bool rulesOnly = false)
    {
        var config = parse.GetValue(Config) is { } path ? AlertConfig.Load(path) : new AlertConfig();
        var rules = config.Alerts.Concat(parse.GetValue(Alert) ?? []).Select(AlertRuleParser.Parse).ToList();
        var notifiers = rulesOnly ? [] : config.Notify.Concat(parse.GetValue(Notify) ?? []).Select(Notifiers.Parse).ToList();
        var repeat = parse.GetValue(Repeat) ?? config.Repeat;
        var digest = parse.GetValue(Digest) ?? config.Digest;
        var options = new AlertOptions
        {
            RepeatInterval = repeat is null ? TimeSpan.FromHours(4) : Duration.Parse(repeat, "repeat interval"),
            Capacity = capacity ?? config.Capacity,
        };
        var every = digest is null ? (TimeSpan?)null : Duration.Parse(digest, "digest interval");
        if (every is { } d && d <= TimeSpan.Zero)
        {
            throw new UsageException("--digest must be a positive duration, such as 4h.");
        }

        return new Resolved(rules, notifiers, options, every);
    }

    public sealed record Resolved(IReadOnlyList<AlertRule> Rules, IReadOnlyList<INotifier> Notifiers, AlertOptions Options, TimeSpan? Digest)
    {
        public bool Any => Rules.Count > 0 || Digest is not null;

        public WatchAlerts? ForWatch(string subject)
        {
            if (!Any)
            {
                return null;
            }

            if (Notifiers.Count == 0 && Digest is not null)
            {
                throw new UsageException("--digest needs somewhere to send it: add --notify.");
            }

            return new WatchAlerts(new AlertEvaluator(Rules, Options, AlertEvaluator.LeakTrend), Notifiers, Digest, Options.Capacity, subject);
        }
    }
}
