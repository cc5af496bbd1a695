using System.CommandLine;
using LeakHound.Cli.Serving;
using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Cli.Commands;

/// <summary>
/// <c>leakhound serve</c>: watches like <c>watch</c> (same sources, rules and store) and serves a live dashboard, a
/// JSON API and Prometheus <c>/metrics</c>; or, given a FILE, serves an existing store read-only.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrl = "http://127.0.0.1:9464";

    public static Command Build()
    {
        var settings = new WatchSettings();
        var file = new Argument<string?>("FILE") { Description = "Serve this existing store read-only instead of watching.", Arity = ArgumentArity.ZeroOrOne };
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen, e.g. {DefaultUrl} (the default) or http://0.0.0.0:9464; several separated by ';'. Any non-loopback address needs --token.",
            DefaultValueFactory = _ => DefaultUrl,
        };
        var token = new Option<string?>("--token")
        {
            Description = "A secret every request must carry (Authorization: Bearer TOKEN, or ?token=TOKEN once in the browser). Also read from LEAKHOUND_TOKEN.",
        };
        var otlp = new Option<string?>("--otlp") { Description = "Also export the latest values by OTLP to this collector: gRPC, e.g. http://127.0.0.1:4317, or HTTP/protobuf for port 4318 or a URL ending in /v1/metrics." };

        var command = new Command("serve", "Watch like 'watch' and serve a live dashboard, a JSON API and Prometheus /metrics (default http://127.0.0.1:9464); or serve a recorded FILE read-only.")
        {
            file,
        };
        settings.AddTo(command);
        command.Add(urls);
        command.Add(token);
        command.Add(otlp);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var serve = new ServeOptions(
                [.. parse.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                parse.GetValue(token) ?? NonEmpty(Environment.GetEnvironmentVariable("LEAKHOUND_TOKEN")),
                parse.GetValue(otlp));
            ServeSecurity.CheckBinding(serve.Urls, serve.Token);
            if (parse.GetValue(file) is { } path)
            {
                if (settings.NamesASource(parse))
                {
                    throw new UsageException("serve FILE shows a recording; give either FILE or what to watch (--pid, --name, --postgres, --command), not both.");
                }

                return await ServeFileAsync(path, parse.GetValue(settings.Capacity), serve, cancellationToken).ConfigureAwait(false);
            }

            var options = settings.Resolve(parse);
            return await ServeWatchAsync(options, settings.Alerts.Resolve(parse, options.Capacity), serve, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>OTLP exports as often as rounds come, but not more than once a second nor less than once a minute.</summary>
    private static TimeSpan Clamp(TimeSpan interval) =>
        interval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : interval > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : interval;

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static async Task<int> ServeWatchAsync(WatchOptions options, AlertSettings.Resolved alerting, ServeOptions serve, CancellationToken cancellationToken)
    {
        await using var sources = await WatchSources.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        var sampler = sources.Sampler(options);
        var alerts = sources.Alerts(alerting, options);
        var state = new ServeState(sources.Subject, options.Out, [.. alerting.Rules.Select(r => r.Text)], live: true, options.Capacity);
        var data = new DashboardData(options.Out, options.Capacity, TimeSpan.FromSeconds(2));
        var config = new ServeConfig(serve.Urls, serve.Token, data, options.Postgres, options.PgIdleThreshold);
        var store = Watching.OpenStore(options.Out);
        await using var server = await StartAsync(state, config, store, cancellationToken).ConfigureAwait(false);
        using var otlp = serve.Otlp is { } endpoint ? OtlpExport.Start(state, endpoint, Clamp(options.Interval)) : null;
        Console.WriteLine($"Serving {Terminal.Neutralise(sources.Subject)} on {string.Join(", ", server.Addresses)} (dashboard /, API /api, Prometheus /metrics); recording to {options.Out}. Ctrl+C stops.");

        var history = await Watching.RunAsync(sampler, store, new DashboardView(state, alerts, sources.Process), sources.Subject, cancellationToken, alerts).ConfigureAwait(false);
        if (!cancellationToken.IsCancellationRequested)
        {
            var end = history.Events.LastOrDefault(e => e.Kind == EventKind.End);
            Console.WriteLine($"{(end is null ? "The watch ended" : Terminal.Neutralise(end.Detail))}; recorded {history.Rounds} rounds. Still serving until Ctrl+C.");
            await WaitForCtrlC(cancellationToken).ConfigureAwait(false);
        }

        return CliApp.Ok;
    }

    private static readonly TimeSpan FollowEvery = TimeSpan.FromSeconds(2);

    private static async Task<int> ServeFileAsync(string path, double? capacity, ServeOptions serve, CancellationToken cancellationToken)
    {
        var data = new DashboardData(path, capacity, TimeSpan.FromSeconds(5));
        var loaded = data.Load(); // A missing or foreign file is one line here, before anything listens.
        var state = new ServeState(Path.GetFileName(path), path, [], live: false, capacity);
        state.Publish(Latest(state.Current, loaded.Data) with { Verdicts = loaded.Verdicts.Value });
        await using var server = await StartAsync(state, new ServeConfig(serve.Urls, serve.Token, data, null, default), null, cancellationToken).ConfigureAwait(false);
        using var otlp = serve.Otlp is { } endpoint ? OtlpExport.Start(state, endpoint, TimeSpan.FromSeconds(15)) : null;
        Console.WriteLine($"Serving {Terminal.Neutralise(path)} read-only on {string.Join(", ", server.Addresses)} (dashboard /, API /api, Prometheus /metrics). Ctrl+C stops.");
        await FollowAsync(data, loaded, state, cancellationToken).ConfigureAwait(false);
        return CliApp.Ok;
    }

    /// <summary>
    /// Until Ctrl+C, reads the store again every few seconds: a recording another process is still writing (a watch
    /// started before anyone wanted a dashboard) reaches /metrics, the API and the page as it grows. An unchanged file
    /// costs one stat.
    /// </summary>
    private static async Task FollowAsync(DashboardData data, DashboardData.Loaded loaded, ServeState state, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(FollowEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var next = data.Load();
                if (!ReferenceEquals(next, loaded))
                {
                    loaded = next;
                    state.Publish(Latest(state.Current, next.Data) with { Verdicts = next.Verdicts.Value });
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C.
        }
    }

    private static async Task<DashboardServer> StartAsync(ServeState state, ServeConfig config, ISampleSink? store, CancellationToken cancellationToken)
    {
        try
        {
            return await DashboardServer.StartAsync(state, config, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>The last round of a recording as a snapshot: what /metrics shows for a store served read-only.</summary>
    private static ServeSnapshot Latest(ServeSnapshot empty, RecordedData data)
    {
        var withPoints = data.Series.Where(s => s.Points.Count > 0).ToList();
        if (withPoints.Count == 0)
        {
            return empty;
        }

        var time = withPoints.Max(s => s.Points[^1].Time);
        return empty with
        {
            Time = time,
            Samples = [.. withPoints.Where(s => s.Points[^1].Time == time).Select(s => new Sample(s.Key, s.Points[^1].Value))],
            Pid = data.Events.LastOrDefault(e => e.Pid is not null)?.Pid,
        };
    }

    private static async Task WaitForCtrlC(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed record ServeOptions(IReadOnlyList<string> Urls, string? Token, string? Otlp);
}
