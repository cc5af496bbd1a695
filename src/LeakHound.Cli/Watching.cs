using LeakHound.Cli.Views;
using LeakHound.Recording;
using LeakHound.Sources;

namespace LeakHound.Cli;

/// <summary>
/// Runs a watch: the sampler's rounds go to the store and the view. Ctrl+C, the end of <c>--count</c> or the exit of a
/// <c>--pid</c> all end it the same way: an end event, the store flushed and closed.
/// </summary>
internal static class Watching
{
    public static async Task<WatchHistory> RunAsync(
        Sampler sampler, ISampleSink? store, WatchView view, string subject, CancellationToken cancellationToken, WatchAlerts? alerts = null)
    {
        var history = new WatchHistory();
        try
        {
            if (store is not null)
            {
                await store.WriteEventAsync(new RecordedEvent(DateTimeOffset.UtcNow, EventKind.Start, null, $"watch of {subject}"), cancellationToken).ConfigureAwait(false);
            }

            await view.WrapAsync(async () =>
            {
                try
                {
                    await foreach (var round in sampler.RunAsync(cancellationToken).ConfigureAwait(false))
                    {
                        // Alerts first, so what fired is recorded and shown with the round that fired it.
                        alerts?.OnRound(round, history);
                        if (store is not null)
                        {
                            // The round goes to disk before it is shown: what the user saw is always recorded.
                            await store.WriteRoundAsync(round.ToRound(), CancellationToken.None).ConfigureAwait(false);
                            foreach (var e in round.Events)
                            {
                                await store.WriteEventAsync(e, CancellationToken.None).ConfigureAwait(false);
                            }
                        }

                        history.Add(round);
                        view.Show(history, round);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C: the normal way to end a watch.
                }
            }).ConfigureAwait(false);

            if (alerts is not null)
            {
                foreach (var e in await alerts.FinishAsync().ConfigureAwait(false))
                {
                    await WriteEventAsync(store, e).ConfigureAwait(false);
                    history.AddEvents([e]);
                    view.ShowLate(history, e);
                }
            }

            if (store is not null && cancellationToken.IsCancellationRequested)
            {
                await store.WriteEventAsync(new RecordedEvent(DateTimeOffset.UtcNow, EventKind.End, history.Pid, "stopped by the user"), CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }

        return history;
    }

    private static async Task WriteEventAsync(ISampleSink? store, RecordedEvent e)
    {
        if (store is not null)
        {
            await store.WriteEventAsync(e, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Opens the store named by <c>--out</c>: SQLite unless the name ends in .csv.</summary>
    public static ISampleSink OpenStore(string path) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
            ? CsvSampleWriter.OpenForWriting(path)
            : SqliteStore.OpenForWriting(path);
}
