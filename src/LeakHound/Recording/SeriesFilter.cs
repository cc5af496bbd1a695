using LeakHound.Samples;

namespace LeakHound.Recording;

/// <summary>
/// The one rule for "which series did the user ask for": the metric itself, a metric prefix at a dot boundary
/// (<c>process.tcp</c> matches <c>process.tcp.connections</c> but not <c>process.tcpx</c>), or a whole key
/// (labels in any order, since keys are compared after parsing).
/// </summary>
internal static class SeriesFilter
{
    public static bool Matches(SeriesKey key, string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return true;
        }

        filter = filter.Trim();
        var metric = key.Metric;
        return metric == filter
            || (metric.Length > filter.Length && metric[filter.Length] == '.' && metric.StartsWith(filter, StringComparison.Ordinal))
            || key.ToString() == filter
            || (filter.Contains('{', StringComparison.Ordinal) && SeriesKey.TryParse(filter, out var asKey, out _) && asKey == key);
    }
}
