namespace LeakHound.Alerting.Notifiers;

/// <summary>What became of one message at one notifier.</summary>
public sealed record Delivery(AlertNotice Notice, string Notifier, bool Delivered, int Attempts, string? Error)
{
    public override string ToString() => Delivered
        ? $"{AlertText.KindName(Notice.Kind)} '{Notice.Rule}' delivered to {Notifier}" + (Attempts > 1 ? $" after {Attempts} attempts" : "")
        : $"{AlertText.KindName(Notice.Kind)} '{Notice.Rule}' NOT delivered to {Notifier} after {Attempts} attempts: {Error}";
}

/// <summary>Sends with a timeout per attempt and retries with exponential backoff; never throws for a failed delivery.</summary>
public sealed record RetryPolicy(int Attempts, TimeSpan Timeout, TimeSpan FirstBackoff)
{
    public static RetryPolicy Default { get; } = new(3, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2));

    public async Task<Delivery> SendAsync(INotifier notifier, AlertNotice notice, CancellationToken cancellationToken)
    {
        string? error = null;
        var backoff = FirstBackoff;
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                await notifier.SendAsync(notice, timeout.Token).ConfigureAwait(false);
                return new Delivery(notice, notifier.Description, true, attempt, null);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                // Any failure of the far side (refused, 500, timeout, bad credentials) is worth another try.
                error = e is OperationCanceledException ? $"no answer within {LeakHound.Duration.Format(Timeout)}" : OneLine(e.Message);
            }

            if (attempt < Attempts)
            {
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff *= 2;
            }
        }

        return new Delivery(notice, notifier.Description, false, Attempts, error);
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
