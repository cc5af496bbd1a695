namespace LeakHound.Alerting.Notifiers;

/// <summary>Somewhere an alert goes: e-mail, a webhook, a program. Throws when the message could not be delivered.</summary>
public interface INotifier
{
    /// <summary>Where it sends, for people, with passwords and tokens masked.</summary>
    string Description { get; }

    Task SendAsync(AlertNotice notice, CancellationToken cancellationToken);
}
