using System.Diagnostics.Metrics;
using System.Globalization;
using LeakHound.Analysis;
using LeakHound.Samples;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace LeakHound.Cli.Serving;

/// <summary>
/// <c>--otlp</c>: the latest round as OpenTelemetry observable gauges, exported by OTLP (gRPC, or HTTP/protobuf when
/// the endpoint ends in <c>/v1/metrics</c> or uses port 4318) through OpenTelemetry .NET. One gauge per recorded metric, named
/// <c>leakhound.</c> + the metric (<c>leakhound.process.tcp.connections</c>), created when the metric first appears,
/// so new sources export without code changes; the same peer fold as /metrics.
/// </summary>
internal sealed class OtlpExport : IDisposable
{
    public const string MeterName = "LeakHound";

    private readonly ServeState _state;
    private readonly Meter _meter = new(MeterName);
    private readonly HashSet<string> _gauges = [];
    private readonly IDisposable _subscription;
    private readonly MeterProvider _provider;

    private OtlpExport(ServeState state, Uri endpoint, OtlpExportProtocol protocol, TimeSpan every)
    {
        _state = state;
        _meter.CreateObservableGauge("leakhound.leak.slope_per_hour", () => Verdicts(v => v.SlopePerHour), "{connection}/h", "Robust growth of each series per hour.");
        _meter.CreateObservableGauge("leakhound.time_to_capacity", () => Verdicts(v => v.TimeToCapacity?.TotalSeconds), "s", "Seconds until the series reaches its capacity.");
        _meter.CreateObservableGauge("leakhound.alert.firing", Firing, null, "1 while the alert rule fires.");
        Ensure(state.Current);
        _subscription = state.Subscribe(Ensure);
        _provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("leakhound", serviceVersion: typeof(OtlpExport).Assembly.GetName().Version?.ToString()))
            .AddMeter(MeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = endpoint;
                exporter.Protocol = protocol;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)every.TotalMilliseconds;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();
    }

    /// <summary>Starts exporting to <paramref name="endpoint"/> every <paramref name="every"/>.</summary>
    public static OtlpExport Start(ServeState state, string endpoint, TimeSpan every)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--otlp '{endpoint}' is not a collector address such as http://127.0.0.1:4317.");
        }

        var http = uri.AbsolutePath.EndsWith("/v1/metrics", StringComparison.Ordinal) || uri.Port == 4318;
        return new OtlpExport(state, uri, http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc, every);
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _provider.ForceFlush(2000);
        _provider.Dispose();
        _meter.Dispose();
    }

    /// <summary>Creates the gauge of every metric seen for the first time (instruments may join a meter at any time).</summary>
    private void Ensure(ServeSnapshot snapshot)
    {
        foreach (var metric in snapshot.Samples.Select(s => s.Key.Metric).Distinct())
        {
            lock (_gauges)
            {
                if (!_gauges.Add(metric))
                {
                    continue;
                }
            }

            _meter.CreateObservableGauge("leakhound." + metric, () => Measure(metric), null, "LeakHound series " + metric);
        }
    }

    private IEnumerable<Measurement<double>> Measure(string metric)
    {
        var snapshot = _state.Current;
        foreach (var sample in PrometheusText.Fold(snapshot.Samples).Where(s => s.Key.Metric == metric && double.IsFinite(s.Value)))
        {
            var tags = new List<KeyValuePair<string, object?>>(sample.Key.Labels.Count + 2);
            if (metric.StartsWith("process.", StringComparison.Ordinal))
            {
                if (snapshot.Pid is { } pid)
                {
                    tags.Add(new("pid", pid.ToString(CultureInfo.InvariantCulture)));
                }

                if (snapshot.Process is { } process)
                {
                    tags.Add(new("process", process));
                }
            }

            tags.AddRange(sample.Key.Labels.Select(l => new KeyValuePair<string, object?>(l.Key, l.Value)));
            yield return new Measurement<double>(sample.Value, tags);
        }
    }

    private IEnumerable<Measurement<double>> Verdicts(Func<LeakVerdict, double?> value)
    {
        foreach (var v in _state.Current.Verdicts)
        {
            if (v.Kind != VerdictKind.NotEnoughData
                && (v.IsLeaking || !MetricNames.IsBreakdown(v.Key.Metric))
                && value(v) is { } x && double.IsFinite(x))
            {
                yield return new Measurement<double>(x, new KeyValuePair<string, object?>("series", v.Key.ToString()));
            }
        }
    }

    private IEnumerable<Measurement<int>> Firing()
    {
        var snapshot = _state.Current;
        var firing = snapshot.Firing.Select(f => f.Rule).ToHashSet(StringComparer.Ordinal);
        return snapshot.Rules.Distinct(StringComparer.Ordinal)
            .Select(rule => new Measurement<int>(firing.Contains(rule) ? 1 : 0, new KeyValuePair<string, object?>("rule", rule)));
    }
}
