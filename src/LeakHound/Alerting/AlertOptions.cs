namespace LeakHound.Alerting;

/// <summary>How alert state moves: the reminder interval, how long a condition must be clear to resolve, the hysteresis band.</summary>
public sealed record AlertOptions
{
    /// <summary>While an incident lasts, a reminder this often; <see cref="TimeSpan.Zero"/> for none.</summary>
    public TimeSpan RepeatInterval { get; init; } = TimeSpan.FromHours(4);

    /// <summary>A firing alert resolves only after its condition has been clear this long, so a flapping value sends no storm.</summary>
    public TimeSpan ResolveAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A threshold is clear only this fraction below it (or above, for '&lt;'): a value hovering at it does not flap.</summary>
    public double Hysteresis { get; init; } = 0.05;

    /// <summary>The capacity that <c>limit</c>/<c>capacity</c> means for connection series (the watch's <c>--capacity</c>).</summary>
    public double? Capacity { get; init; }
}
