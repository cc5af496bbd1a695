using System.Threading.Channels;

namespace LeakHound.Alerting.Notifiers;

/// <summary>
/// Sends notices in the background so that a slow or dead notifier never holds up the watch. Each delivery (or
/// failure, after the retries) is reported through <c>onDelivery</c>, which the watch records and shows.
/// </summary>
public sealed class AlertDispatcher : IAsyncDisposable
{
    private readonly IReadOnlyList<INotifier> _notifiers;
    private readonly RetryPolicy _retry;
    private readonly Action<Delivery> _onDelivery;
    private readonly Channel<AlertNotice> _queue = Channel.CreateBounded<AlertNotice>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;

    public AlertDispatcher(IReadOnlyList<INotifier> notifiers, RetryPolicy retry, Action<Delivery> onDelivery)
    {
        _notifiers = notifiers;
        _retry = retry;
        _onDelivery = onDelivery;
        _worker = Task.Run(RunAsync);
    }

    public void Enqueue(AlertNotice notice)
    {
        if (_notifiers.Count > 0)
        {
            _queue.Writer.TryWrite(notice);
        }
    }

    /// <summary>Sends one notice to every notifier now and waits: for <c>alert test</c>.</summary>
    public static async Task<IReadOnlyList<Delivery>> SendNowAsync(IReadOnlyList<INotifier> notifiers, AlertNotice notice, RetryPolicy retry, CancellationToken cancellationToken) =>
        await Task.WhenAll(notifiers.Select(n => retry.SendAsync(n, notice, cancellationToken))).ConfigureAwait(false);

    private async Task RunAsync()
    {
        try
        {
            await foreach (var notice in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var deliveries = await SendNowAsync(_notifiers, notice, _retry, _stop.Token).ConfigureAwait(false);
                foreach (var delivery in deliveries)
                {
                    _onDelivery(delivery);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: what is still queued is given up after the grace period.
        }
    }

    /// <summary>Lets queued messages go out (a resolve at Ctrl+C, say) for a short grace period, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAny(_worker, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _worker.ConfigureAwait(false);
        _stop.Dispose();
    }
}
