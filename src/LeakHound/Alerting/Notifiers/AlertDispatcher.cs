using System.Threading.Channels;

namespace LeakHound.Alerting.Notifiers;

/// <summary>
/// Sends notices in the background so that a slow or dead notifier never holds up the watch, nor the other notifiers:
/// each notifier has its own queue and worker. Each delivery (or failure, after the retries) is reported through
/// <c>onDelivery</c> as soon as it is known; the watch records and shows it.
/// </summary>
public sealed class AlertDispatcher : IAsyncDisposable
{
    private readonly List<(Channel<AlertNotice> Queue, Task Worker)> _workers = [];
    private readonly CancellationTokenSource _stop = new();

    public AlertDispatcher(IReadOnlyList<INotifier> notifiers, RetryPolicy retry, Action<Delivery> onDelivery)
    {
        foreach (var notifier in notifiers)
        {
            var queue = Channel.CreateBounded<AlertNotice>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
            _workers.Add((queue, Task.Run(() => RunAsync(notifier, queue.Reader, retry, onDelivery))));
        }
    }

    public void Enqueue(AlertNotice notice)
    {
        foreach (var (queue, _) in _workers)
        {
            queue.Writer.TryWrite(notice);
        }
    }

    /// <summary>Sends one notice to every notifier now and waits: for <c>alert test</c>.</summary>
    public static async Task<IReadOnlyList<Delivery>> SendNowAsync(IReadOnlyList<INotifier> notifiers, AlertNotice notice, RetryPolicy retry, CancellationToken cancellationToken) =>
        await Task.WhenAll(notifiers.Select(n => retry.SendAsync(n, notice, cancellationToken))).ConfigureAwait(false);

    private async Task RunAsync(INotifier notifier, ChannelReader<AlertNotice> queue, RetryPolicy retry, Action<Delivery> onDelivery)
    {
        try
        {
            await foreach (var notice in queue.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                onDelivery(await retry.SendAsync(notifier, notice, _stop.Token).ConfigureAwait(false));
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
        foreach (var (queue, _) in _workers)
        {
            queue.Writer.TryComplete();
        }

        var all = Task.WhenAll(_workers.Select(w => w.Worker));
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await all.ConfigureAwait(false);
        _stop.Dispose();
    }
}
