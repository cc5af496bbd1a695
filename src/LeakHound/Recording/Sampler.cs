using System.Runtime.CompilerServices;
using LeakHound.Sources;

namespace LeakHound.Recording;

/// <summary>
/// The sampling loop: every interval, asks each source for its samples and yields the round.
/// Rounds are timed on a fixed schedule; a round that starts far behind schedule is recorded as a gap.
/// </summary>
public sealed class Sampler
{
    private readonly IReadOnlyList<ISampleSource> _sources;
    private readonly TimeSpan _interval;
    private readonly int? _count;
    private readonly TimeProvider _time;

    public Sampler(IReadOnlyList<ISampleSource> sources, TimeSpan interval, int? count = null, TimeProvider? time = null)
    {
        if (sources.Count == 0)
        {
            throw new UsageException("Nothing to watch: give --pid, --name or --command.");
        }

        _sources = sources;
        _interval = interval;
        _count = count;
        _time = time ?? TimeProvider.System;
    }

    public async IAsyncEnumerable<RoundBuilder> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timer = _interval > TimeSpan.Zero ? new PeriodicTimer(_interval, _time) : null;
        DateTimeOffset? previous = null;
        for (var n = 0; _count is null || n < _count; n++)
        {
            if (n > 0)
            {
                if (timer is null)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                else if (!await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield break;
                }
            }

            var round = new RoundBuilder(_time.GetUtcNow());
            if (previous is { } last && _interval > TimeSpan.Zero && round.Time - last > (_interval * 3) + TimeSpan.FromSeconds(1))
            {
                // The machine stalled (suspend, overload): say so, so nobody reads a flat line into the missing time.
                round.Report(EventKind.Gap, $"no sample for {Duration.Format(round.Time - last)} (interval {Duration.Format(_interval)})");
            }

            previous = round.Time;
            foreach (var source in _sources)
            {
                await source.CollectAsync(round, cancellationToken).ConfigureAwait(false);
            }

            yield return round;
            if (round.EndOfWatch)
            {
                yield break;
            }
        }
    }
}
