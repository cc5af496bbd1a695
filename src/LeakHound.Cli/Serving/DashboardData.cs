using LeakHound.Analysis;
using LeakHound.Recording;
using LeakHound.Reporting;
using LeakHound.Samples;

namespace LeakHound.Cli.Serving;

/// <summary>
/// The recorded history behind the dashboard's charts and the samples API: the store, read read-only (SQLite in WAL
/// mode lets it be read while the watch appends), cached for a moment so that many requests cost one read.
/// </summary>
internal sealed class DashboardData(string path, double? capacity, TimeSpan freshFor)
{
    /// <summary>The ranges the dashboard offers, counted back from the latest sample.</summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan?> Ranges = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal)
    {
        ["5m"] = TimeSpan.FromMinutes(5),
        ["15m"] = TimeSpan.FromMinutes(15),
        ["1h"] = TimeSpan.FromHours(1),
        ["6h"] = TimeSpan.FromHours(6),
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
        ["all"] = null,
    };

    private readonly Lock _gate = new();
    private Loaded? _loaded;

    public string Path => path;

    /// <summary>The whole store and its verdicts, read again when the cached copy is older than the freshness bound.</summary>
    public Loaded Load()
    {
        lock (_gate)
        {
            // Unchanged files (a finished recording) are read once; a growing one at most once per freshness bound.
            var stamp = Stamp();
            if (_loaded is { } cached && (cached.Stamp == stamp || DateTimeOffset.UtcNow - cached.ReadAt < freshFor))
            {
                return cached;
            }

            var data = File.Exists(path) ? RecordingReader.Read(path) : new RecordedData([], []);
            var verdicts = new Lazy<IReadOnlyList<LeakVerdict>>(() => LeakAnalyzer.Analyze(data, new AnalysisOptions { Capacity = capacity }));
            _loaded = new Loaded(data, verdicts, DateTimeOffset.UtcNow, stamp);
            return _loaded;
        }
    }

    /// <summary>The charts of <paramref name="range"/> (counted back from the latest sample) as the report's chart JSON.</summary>
    public string ChartsJson(string range, IReadOnlyList<LeakVerdict>? verdicts, string title, int maxPoints = 1500)
    {
        var loaded = Load();
        var data = Window(loaded.Data, Ranges.GetValueOrDefault(range));
        var model = ReportModel.Build(data, new ReportOptions { Title = title, Capacity = capacity, MaxPointsPerSeries = maxPoints }, verdicts ?? loaded.Verdicts.Value, maxPoints);
        return ReportJson.Write(model);
    }

    /// <summary>The points of one series between two times, min/max downsampled to at most <paramref name="maxPoints"/>.</summary>
    public IReadOnlyList<TimedValue>? Samples(SeriesKey key, DateTimeOffset? from, DateTimeOffset? to, int maxPoints)
    {
        var series = Load().Data.Find(key);
        if (series is null)
        {
            return null;
        }

        var points = series.Points.Where(p => (from is null || p.Time >= from) && (to is null || p.Time <= to)).ToList();
        var aligned = Downsampling.Align([points], Math.Max(4, maxPoints));
        var result = new List<TimedValue>(aligned.Times.Length);
        for (var i = 0; i < aligned.Times.Length; i++)
        {
            if (double.IsFinite(aligned.Values[0][i]))
            {
                result.Add(new TimedValue(DateTimeOffset.FromUnixTimeMilliseconds(aligned.Times[i]), aligned.Values[0][i]));
            }
        }

        return result;
    }

    /// <summary>The recording cut to the last <paramref name="span"/> before its latest sample (all of it when null).</summary>
    public static RecordedData Window(RecordedData data, TimeSpan? span)
    {
        if (span is not { } s)
        {
            return data;
        }

        var latest = data.Series.Where(x => x.Points.Count > 0).Select(x => x.Points[^1].Time).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        if (latest == DateTimeOffset.MinValue)
        {
            return data;
        }

        var from = latest - s;
        return new RecordedData(
            [.. data.Series.Select(x => new RecordedSeries(x.Key, Tail(x.Points, from)))],
            [.. data.Events.Where(e => e.Time >= from)]);
    }

    private static IReadOnlyList<TimedValue> Tail(IReadOnlyList<TimedValue> points, DateTimeOffset from)
    {
        // Points are in time order: find the first one inside the window by binary search.
        int lo = 0, hi = points.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (points[mid].Time < from)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo == 0 ? points : points.Skip(lo).ToArray();
    }

    /// <summary>Length and write time of the store and its WAL: what changes when anything is appended.</summary>
    private string Stamp()
    {
        static string Of(string file) => File.Exists(file) ? $"{new FileInfo(file).Length}@{File.GetLastWriteTimeUtc(file).Ticks}" : "-";
        return Of(path) + "|" + Of(path + "-wal");
    }

    internal sealed record Loaded(RecordedData Data, Lazy<IReadOnlyList<LeakVerdict>> Verdicts, DateTimeOffset ReadAt, string Stamp);
}
