using LeakHound.Analysis;
using LeakHound.Samples;
using LeakHound.Sources;

namespace LeakHound.Alerting;

/// <summary>Turns a series' recent values into a verdict (<see cref="AlertEvaluator.LeakTrend"/> in a watch).</summary>
public delegate LeakVerdict TrendAnalysis(SeriesKey key, IReadOnlyList<TimedValue> points, double? capacity);

/// <summary>
/// Evaluates alert rules on every round and keeps their state per rule and series:
/// clear → pending (while the rule's <c>for</c> runs) → firing → resolved. One notice when an incident starts,
/// reminders at the repeat interval, one notice when it ends; hysteresis and a resolve delay keep a value hovering
/// at a threshold from sending a storm.
/// </summary>
public sealed class AlertEvaluator
{
    // A verdict over thousands of points is not free: recompute a series' trend at most this often.
    private static readonly TimeSpan TrendRefresh = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyList<AlertRule> _rules;
    private readonly AlertOptions _options;
    private readonly TrendAnalysis? _trend;
    private readonly Dictionary<(int Rule, SeriesKey Series), AlertState> _states = [];
    private readonly Dictionary<SeriesKey, (TrendHistory History, LeakVerdict? Verdict, DateTimeOffset At)> _trends = [];
    private readonly HashSet<string> _sources = new(StringComparer.Ordinal);
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];

    public AlertEvaluator(IReadOnlyList<AlertRule> rules, AlertOptions options, TrendAnalysis? trend)
    {
        _rules = rules;
        _options = options;
        _trend = trend;
        if (trend is null && rules.Any(r => r is AlertRule.Leaking or AlertRule.Exhaustion))
        {
            throw new UsageException("Trend rules ('leaking …', '… exhausts … within …') need the trend analysis, which is not available here.");
        }
    }

    public IReadOnlyList<AlertRule> Rules => _rules;

    /// <summary>The leak verdict of <see cref="LeakAnalyzer"/>; restarts are handled by clearing the history.</summary>
    public static TrendAnalysis LeakTrend { get; } = (key, points, capacity) => LeakAnalyzer.Analyze(key, points, [], capacity, capacityName: null);

    /// <summary>Problems with a rule found while evaluating (no capacity known), each said once; cleared when read.</summary>
    public IReadOnlyList<string> TakeWarnings()
    {
        var warnings = _warnings.ToArray();
        _warnings.Clear();
        return warnings;
    }

    /// <summary>The incidents firing now, for views and metrics.</summary>
    public IEnumerable<(AlertRule Rule, SeriesKey Series, DateTimeOffset Since)> Firing =>
        _states.Where(s => s.Value.Firing).Select(s => (_rules[s.Key.Rule], s.Key.Series, s.Value.Since));

    public IReadOnlyList<AlertNotice> Evaluate(RoundBuilder round, string? process = null)
    {
        var notices = new List<AlertNotice>();
        var latest = new Dictionary<SeriesKey, double>();
        foreach (var sample in round.Samples)
        {
            latest[sample.Key] = sample.Value;
        }

        UpdateTrends(round, latest);
        for (var i = 0; i < _rules.Count; i++)
        {
            var rule = _rules[i];
            if (rule is AlertRule.SourceDown)
            {
                _sources.UnionWith(round.DownSources);
                foreach (var source in _sources)
                {
                    var down = round.DownSources.Contains(source);
                    Step(i, SeriesKey.Of("source", ("name", source)), down, !down, round, null, null, null, process, notices);
                }

                continue;
            }

            foreach (var (key, value) in latest)
            {
                if (Selector(rule)!.Matches(key))
                {
                    EvaluateSeries(i, rule, key, value, latest, round, process, notices);
                }
            }
        }

        return notices;
    }

    private void EvaluateSeries(int index, AlertRule rule, SeriesKey key, double value, Dictionary<SeriesKey, double> latest, RoundBuilder round, string? process, List<AlertNotice> notices)
    {
        switch (rule)
        {
            case AlertRule.Threshold t:
            {
                double? capacity = null;
                var threshold = t.Value;
                if (t.Percent is { } percent)
                {
                    capacity = CapacityOf(t.Of, key, latest, rule);
                    if (capacity is null)
                    {
                        return;
                    }

                    threshold = percent / 100 * capacity.Value;
                }

                var band = Math.Max(Math.Abs(threshold) * _options.Hysteresis, 0);
                var (holds, clear) = t.Comparison switch
                {
                    Comparison.Above => (value > threshold, value <= threshold - band),
                    Comparison.AtLeast => (value >= threshold, value < threshold - band),
                    Comparison.Below => (value < threshold, value >= threshold + band),
                    _ => (value <= threshold, value > threshold + band),
                };
                Step(index, key, holds, clear, round, value, capacity, Verdict(key), process, notices, latest);
                break;
            }

            case AlertRule.Exhaustion e:
            {
                var capacity = CapacityOf(e.Capacity, key, latest, rule);
                if (capacity is null)
                {
                    return;
                }

                var verdict = Verdict(key);
                var holds = verdict is { Kind: VerdictKind.Leaking, SlopePerHour: > 0 }
                    && TimeSpan.FromHours(Math.Max(0, (capacity.Value - value) / verdict.SlopePerHour)) <= e.Within;
                Step(index, key, holds, !holds, round, value, capacity, verdict, process, notices, latest);
                break;
            }

            case AlertRule.Leaking:
            {
                var verdict = Verdict(key);
                var holds = verdict is { Kind: VerdictKind.Leaking };
                Step(index, key, holds, !holds, round, value, verdict?.Capacity, verdict, process, notices, latest);
                break;
            }
        }
    }

    private void Step(
        int index, SeriesKey key, bool holds, bool clear, RoundBuilder round, double? value, double? capacity,
        LeakVerdict? verdict, string? process, List<AlertNotice> notices, Dictionary<SeriesKey, double>? latest = null)
    {
        var rule = _rules[index];
        var now = round.Time;
        _states.TryGetValue((index, key), out var state);
        if (holds)
        {
            state ??= new AlertState { Since = now };
            state.ClearSince = null;
            if (!state.Firing && now - state.Since >= rule.For)
            {
                state.Firing = true;
                state.Notified = now;
                notices.Add(Notice(NoticeKind.Firing, rule, key, round, state.Since, value, capacity, verdict, process, latest));
            }
            else if (state.Firing && _options.RepeatInterval > TimeSpan.Zero && now - state.Notified >= _options.RepeatInterval)
            {
                state.Notified = now;
                notices.Add(Notice(NoticeKind.Reminder, rule, key, round, state.Since, value, capacity, verdict, process, latest));
            }

            _states[(index, key)] = state;
            return;
        }

        if (state is null)
        {
            return;
        }

        if (!state.Firing)
        {
            // Pending that did not last: nothing was sent, nothing to resolve.
            _states.Remove((index, key));
            return;
        }

        if (!clear)
        {
            // Between the threshold and its hysteresis band: neither firing anew nor clear.
            state.ClearSince = null;
            return;
        }

        state.ClearSince ??= now;
        if (now - state.ClearSince.Value >= _options.ResolveAfter)
        {
            _states.Remove((index, key));
            notices.Add(Notice(NoticeKind.Resolved, rule, key, round, state.Since, value, capacity, verdict, process, latest));
        }
    }

    private static AlertNotice Notice(
        NoticeKind kind, AlertRule rule, SeriesKey key, RoundBuilder round, DateTimeOffset since, double? value,
        double? capacity, LeakVerdict? verdict, string? process, Dictionary<SeriesKey, double>? latest) => new()
        {
            Kind = kind,
            Rule = rule.Text,
            Series = key.Metric == "source" ? null : key,
            Time = round.Time,
            Since = since,
            Value = value,
            Capacity = capacity,
            Verdict = verdict,
            Pid = round.Pid,
            Process = process,
            TopPeers = latest is null ? [] : TopPeers(key, latest),
            Details = key.Metric == "source" ? [$"source {key.Label("name")} is not answering"] : [],
        };

    /// <summary>
    /// The peers (and a server's client groups, "from 10.0.0.5 on :8080") holding the most connections in the series'
    /// state (or in any state): where the leak points. A per-peer or per-client series names only its own.
    /// </summary>
    private static IReadOnlyList<KeyValuePair<string, double>> TopPeers(SeriesKey key, Dictionary<SeriesKey, double> latest)
    {
        if (!key.Metric.StartsWith("process.tcp", StringComparison.Ordinal))
        {
            return [];
        }

        var state = key.Label(MetricNames.StateLabel);
        bool Same(SeriesKey other, string label) => key.Label(label) is not { } mine || other.Label(label) == mine;
        bool Wanted(SeriesKey other) => other.Metric switch
        {
            MetricNames.TcpPeerConnections => key.Metric != MetricNames.TcpInboundConnections && Same(other, MetricNames.PeerLabel),
            MetricNames.TcpInboundConnections => key.Metric != MetricNames.TcpPeerConnections
                && Same(other, MetricNames.ClientLabel) && Same(other, MetricNames.PortLabel),
            _ => false,
        };

        return latest
            .Where(kv => kv.Value > 0 && (state is null || kv.Key.Label(MetricNames.StateLabel) == state) && Wanted(kv.Key))
            .GroupBy(
                kv => kv.Key.Metric == MetricNames.TcpInboundConnections ? "from " + VerdictText.Client(kv.Key) : kv.Key.Label(MetricNames.PeerLabel) ?? "?",
                StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, double>(g.Key, g.Sum(kv => kv.Value)))
            .OrderByDescending(kv => kv.Value)
            .Take(3)
            .ToList();
    }

    private void UpdateTrends(RoundBuilder round, Dictionary<SeriesKey, double> latest)
    {
        if (_trend is null)
        {
            return;
        }

        foreach (var (key, value) in latest)
        {
            // Every series a rule watches keeps a trend, so a threshold alert also says how fast and until when.
            if (!_rules.Any(r => Selector(r)?.Matches(key) == true))
            {
                continue;
            }

            if (!_trends.TryGetValue(key, out var trend))
            {
                trend = (new TrendHistory(), null, DateTimeOffset.MinValue);
            }

            trend.History.Add(round.Time, value);
            if (round.Time - trend.At >= TrendRefresh || trend.History.Points.Count < 64)
            {
                var capacity = key.Metric == MetricNames.Fds && latest.TryGetValue(SeriesKey.Of(MetricNames.FdLimit), out var limit) ? limit : _options.Capacity;
                trend = (trend.History, _trend(key, trend.History.Points, capacity), round.Time);
            }

            _trends[key] = trend;
        }

        // A restart begins a new process: its trend starts afresh.
        if (round.Events.Any(e => e.Kind == Recording.EventKind.Restart))
        {
            foreach (var (history, _, _) in _trends.Values)
            {
                history.Clear();
            }
        }
    }

    private LeakVerdict? Verdict(SeriesKey key) => _trends.TryGetValue(key, out var t) ? t.Verdict : null;

    /// <summary><c>limit</c>: the fd limit for fds, max_connections minus reserved for PostgreSQL, a .NET pool's maximum for its used connections, else the watch's capacity.</summary>
    private double? CapacityOf(CapacityRef reference, SeriesKey key, Dictionary<SeriesKey, double> latest, AlertRule rule)
    {
        if (reference.Value is { } fixedCapacity)
        {
            return fixedCapacity;
        }

        double? capacity = key.Metric switch
        {
            MetricNames.DotNetDbConnections when Analysis.LeakAnalyzer.PoolCapacityOf(key, k => latest.TryGetValue(k, out var v) ? v : null) is { } pool => pool,
            MetricNames.Fds => latest.TryGetValue(SeriesKey.Of(MetricNames.FdLimit), out var limit) ? limit : null,
            _ when key.Metric.StartsWith("postgres.", StringComparison.Ordinal)
                && latest.TryGetValue(SeriesKey.Of("postgres.max_connections"), out var max) =>
                max - (latest.TryGetValue(SeriesKey.Of("postgres.reserved_connections"), out var reserved) ? reserved : 0),
            _ => _options.Capacity,
        };
        if (capacity is null && _warned.Add(rule.Text))
        {
            _warnings.Add($"alert rule '{rule.Text}': no capacity is known for {key}; give --capacity N or a number in the rule");
        }

        return capacity;
    }

    private static SeriesSelector? Selector(AlertRule rule) => rule switch
    {
        AlertRule.Threshold t => t.Selector,
        AlertRule.Exhaustion e => e.Selector,
        AlertRule.Leaking l => l.Selector,
        _ => null,
    };

    private sealed class AlertState
    {
        public DateTimeOffset Since { get; set; }

        public bool Firing { get; set; }

        public DateTimeOffset Notified { get; set; }

        public DateTimeOffset? ClearSince { get; set; }
    }
}
