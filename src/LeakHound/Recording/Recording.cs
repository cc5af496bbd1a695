using LeakHound.Samples;

namespace LeakHound.Recording;

/// <summary>One series read back from a store or CSV file, points in time order.</summary>
public sealed record RecordedSeries(SeriesKey Key, IReadOnlyList<TimedValue> Points);

/// <summary>A whole recording read back: every series and every event.</summary>
public sealed record RecordedData(IReadOnlyList<RecordedSeries> Series, IReadOnlyList<RecordedEvent> Events)
{
    public RecordedSeries? Find(SeriesKey key) => Series.FirstOrDefault(s => s.Key == key);
}
