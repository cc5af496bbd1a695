using System.Collections.Concurrent;
using LeakHound.Alerting;
using LeakHound.Alerting.Notifiers;
using LeakHound.Cli.Views;
using LeakHound.Recording;
using LeakHound.Reporting;
using LeakHound.Sources;

namespace LeakHound.Cli;

/// <summary>
/// The alerting side of a watch: evaluates the rules on every round, records each firing, reminder and resolve as an
/// event of that round, hands the messages to the dispatcher, and records each delivery (or failure) when it is known.
/// </summary>
internal sealed class WatchAlerts : IAsyncDisposable
{
    private readonly AlertEvaluator _evaluator;
    private readonly AlertDispatcher _dispatcher;
    private readonly bool _wantsChart;
    private readonly TimeSpan? _digest;
    private readonly double? _capacity;
    private readonly string _subject;
    private readonly ConcurrentQueue<Delivery> _deliveries = new();
    private DateTimeOffset? _lastDigest;

    public WatchAlerts(AlertEvaluator evaluator, IReadOnlyList<INotifier> notifiers, TimeSpan? digest, double? capacity, string subject)
    {
        _evaluator = evaluator;
        _digest = digest;
        _capacity = capacity;
        _subject = subject;
        _wantsChart = notifiers.Any(n => n.Description.StartsWith("smtp", StringComparison.OrdinalIgnoreCase));
        _dispatcher = new AlertDispatcher(notifiers, RetryPolicy.Default, _deliveries.Enqueue);
    }

    public AlertEvaluator Evaluator => _evaluator;

    public void OnRound(RoundBuilder round, WatchHistory history)
    {
        var notices = _evaluator.Evaluate(round, _subject).ToList();
        foreach (var warning in _evaluator.TakeWarnings())
        {
            round.Report(EventKind.Note, warning);
        }

        if (_digest is { } every && (_lastDigest is null || round.Time - _lastDigest >= every))
        {
            // The first digest goes out one period after the start, like the seeds' mail every few hours.
            if (_lastDigest is not null)
            {
                notices.Add(Digest(round, history));
            }

            _lastDigest = round.Time;
        }

        foreach (var notice in notices)
        {
            round.Report(EventKind.Alert, AlertText.Subject(notice)["[LeakHound] ".Length..]);
            _dispatcher.Enqueue(_wantsChart ? notice with { Chart = Chart(history) } : notice);
        }

        Drain(round.Report);
    }

    /// <summary>Waits briefly for messages still being sent (a resolve at the end) and returns their outcome as events.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> FinishAsync()
    {
        await _dispatcher.DisposeAsync().ConfigureAwait(false);
        var events = new List<RecordedEvent>();
        Drain((kind, detail, pid) => events.Add(new RecordedEvent(DateTimeOffset.UtcNow, kind, pid, detail)));
        return events;
    }

    public ValueTask DisposeAsync() => _dispatcher.DisposeAsync();

    private void Drain(Action<EventKind, string, int?> report)
    {
        while (_deliveries.TryDequeue(out var delivery))
        {
            report(EventKind.Delivery, delivery.ToString(), null);
        }
    }

    private AlertNotice Digest(RoundBuilder round, WatchHistory history)
    {
        var lines = new List<string> { "Current numbers:" };
        lines.AddRange(round.Samples
            .Where(s => s.Value != 0 && !s.Key.Metric.Contains(".peer.", StringComparison.Ordinal) && !s.Key.Metric.Contains(".app.", StringComparison.Ordinal))
            .Select(s => $"  {s.Key} = {Format.Count(s.Value)}"));
        var verdicts = history.Verdicts(_capacity).Where(v => v.IsLeaking).ToList();
        lines.Add(verdicts.Count == 0 ? "No series is leaking." : "Leaking:");
        lines.AddRange(verdicts.Select(v => "  " + v.Summary));
        foreach (var (rule, series, since) in _evaluator.Firing)
        {
            lines.Add($"Firing: {rule.Text} for {series} since {AlertText.Stamp(since)}");
        }

        return new AlertNotice
        {
            Kind = NoticeKind.Digest,
            Rule = $"digest of {_subject}",
            Time = round.Time,
            Pid = round.Pid,
            Process = _subject,
            Details = lines,
        };
    }

    private static byte[]? Chart(WatchHistory history)
    {
        try
        {
            return PngChart.Render(history.ToRecording());
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or LeakHoundException)
        {
            // An e-mail without its chart is still worth sending.
            return null;
        }
    }
}
