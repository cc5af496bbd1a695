using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using LeakHound.Analysis;
using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.Sources.Postgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LeakHound.Cli.Serving;

/// <summary>What the server needs besides the live state: where it listens, the token, the store, PostgreSQL for the suspects table.</summary>
internal sealed record ServeConfig(IReadOnlyList<string> Urls, string? Token, DashboardData Data, string? PostgresConnection, TimeSpan PgIdleThreshold);

/// <summary>
/// Kestrel with minimal APIs: the dashboard page and its embedded assets, the JSON API, Server-Sent Events for the
/// live rounds, and /metrics. Nothing outside the embedded assets is ever served.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    /// <summary>
    /// No source but the server itself: scripts and styles are files it serves from embedded resources, data comes as
    /// JSON from the API and the event stream. No inline script, no eval, no framing.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // The default encoder escapes <, >, &, quotes and non-ASCII: no text from a peer can close anything.
        Encoder = JavaScriptEncoder.Default,
    };

    private readonly WebApplication _app;
    private readonly ServeState _state;
    private readonly ServeConfig _config;
    private readonly ServeSecurity _security;
    private readonly SseHub _hub;
    private SuspectsCache? _suspects;

    private DashboardServer(WebApplication app, ServeState state, ServeConfig config, ServeSecurity security)
    {
        _app = app;
        _state = state;
        _config = config;
        _security = security;
        _hub = new SseHub(state, Serialize);
        if (config.PostgresConnection is { } pg)
        {
            _suspects = new SuspectsCache(pg, config.PgIdleThreshold);
        }
    }

    /// <summary>The addresses actually bound (port 0 resolved).</summary>
    public IReadOnlyList<string> Addresses =>
        [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];

    public static async Task<DashboardServer> StartAsync(ServeState state, ServeConfig config, CancellationToken cancellationToken)
    {
        ServeSecurity.CheckBinding(config.Urls, config.Token);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls([.. config.Urls]);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        var app = builder.Build();
        var server = new DashboardServer(app, state, config, new ServeSecurity(config.Token));
        server.Map();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            var why = e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse }
                || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
                ? "the address is already in use (another serve? choose a port with --urls)"
                : e.Message;
            throw new LeakHoundException($"cannot listen on {string.Join(", ", config.Urls)}: {why}", e);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        _hub.Dispose();
        _suspects?.Dispose();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private void Map()
    {
        _app.Use(Guard);

        _app.MapGet("/", () => Asset("dashboard.html"));
        _app.MapGet("/assets/{name}", (string name) => Asset(name));
        _app.MapGet("/metrics", () => Results.Text(PrometheusText.Write(_state.Current), PrometheusText.ContentType, Encoding.UTF8));
        _app.MapGet("/api/status", () => JsonResult(Status(_state.Current)));
        _app.MapGet("/api/series", () => JsonResult(SeriesList()));
        _app.MapGet("/api/samples", (string? series, string? from, string? to, int? points) => Samples(series, from, to, points));
        _app.MapGet("/api/charts", (string? range) => Charts(range));
        _app.MapGet("/api/verdicts", () => JsonResult(Verdicts(CurrentVerdicts())));
        _app.MapGet("/api/alerts", () => JsonResult(Alerts(_state.Current)));
        _app.MapGet("/api/suspects", async (CancellationToken ct) => JsonResult(await Suspects(ct).ConfigureAwait(false)));
        _app.MapGet("/events", (HttpContext context) => _hub.StreamAsync(context, _app.Lifetime.ApplicationStopping));
    }

    /// <summary>Security headers on every answer, the Host check and the token check before anything else runs.</summary>
    private async Task Guard(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";

        if (!_security.Required && !ServeSecurity.IsLoopback(context.Request.Host.Host))
        {
            // Without a token the server trusts loopback; a page elsewhere that rebinds its DNS name to 127.0.0.1
            // would still send its own Host header, and is refused here.
            context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
            await context.Response.WriteAsync("leakhound serve answers only to a loopback Host without --token\n").ConfigureAwait(false);
            return;
        }

        var presented = _security.Check(context.Request);
        if (presented == ServeSecurity.Presented.None)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            headers.WWWAuthenticate = "Bearer realm=\"leakhound\"";
            await context.Response.WriteAsync("a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN\n").ConfigureAwait(false);
            return;
        }

        if (presented == ServeSecurity.Presented.Query)
        {
            // The dashboard's scripts, API calls and event stream cannot carry a query token: a session cookie does.
            context.Response.Cookies.Append(ServeSecurity.CookieName, _security.SessionValue, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                Secure = context.Request.IsHttps,
            });
            if (context.Request.Path == "/" && HttpMethods.IsGet(context.Request.Method))
            {
                // Out of the address bar and the history: the page reloads without the token in its URL.
                context.Response.Redirect("/");
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    }

    private static IResult Asset(string name) =>
        DashboardAssets.Find(name) is { } asset ? Results.Bytes(asset.Bytes, asset.ContentType) : Results.NotFound();

    private static IResult JsonResult(object value) =>
        Results.Text(JsonSerializer.Serialize(value, Json), "application/json", Encoding.UTF8);

    private string Serialize(ServeSnapshot snapshot) => JsonSerializer.Serialize(RoundEvent(snapshot), Json);

    private IReadOnlyList<LeakVerdict> CurrentVerdicts()
    {
        var current = _state.Current;
        return current.Live ? current.Verdicts : _config.Data.Load().Verdicts.Value;
    }

    private static object Status(ServeSnapshot s) => new
    {
        subject = s.Subject,
        live = s.Live,
        rounds = s.Rounds,
        time = s.Time,
        pid = s.Pid,
        process = s.Process,
        store = s.Store is null ? null : Path.GetFileName(s.Store),
        capacity = s.Capacity,
        ranges = DashboardData.Ranges.Keys,
    };

    private object SeriesList()
    {
        var data = _config.Data.Load().Data;
        var latest = _state.Current.Samples.ToDictionary(s => s.Key, s => s.Value);
        return data.Series
            .Select(s => new
            {
                key = s.Key.ToString(),
                metric = s.Key.Metric,
                labels = s.Key.Labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
                points = s.Points.Count,
                first = s.Points.Count > 0 ? s.Points[0].Time : (DateTimeOffset?)null,
                last = s.Points.Count > 0 ? s.Points[^1].Time : (DateTimeOffset?)null,
                value = latest.TryGetValue(s.Key, out var v) ? v : s.Points.Count > 0 ? s.Points[^1].Value : (double?)null,
            })
            .ToList();
    }

    private IResult Samples(string? series, string? from, string? to, int? points)
    {
        if (series is null)
        {
            return Problem("give ?series=KEY, e.g. process.tcp.connections{state=\"close_wait\"}");
        }

        if (!SeriesKey.TryParse(series, out var key, out var error))
        {
            return Problem("series: " + error);
        }

        if (!TryTime(from, out var start) || !TryTime(to, out var end))
        {
            return Problem("from and to are ISO 8601 times or Unix seconds");
        }

        var found = _config.Data.Samples(key, start, end, Math.Clamp(points ?? 1000, 4, 20_000));
        return found is null
            ? Results.Text(JsonSerializer.Serialize(new { error = "no such series" }, Json), "application/json", Encoding.UTF8, StatusCodes.Status404NotFound)
            : JsonResult(new { key = key.ToString(), points = found.Select(p => new object[] { p.Time.ToUnixTimeMilliseconds() / 1000.0, p.Value }) });
    }

    private IResult Charts(string? range)
    {
        range ??= "all";
        if (!DashboardData.Ranges.ContainsKey(range))
        {
            return Problem("range is one of " + string.Join(", ", DashboardData.Ranges.Keys));
        }

        var current = _state.Current;
        var json = _config.Data.ChartsJson(range, current.Live ? current.Verdicts : null, current.Subject);
        return Results.Text(json, "application/json", Encoding.UTF8);
    }

    private static IResult Problem(string message) =>
        Results.Text(JsonSerializer.Serialize(new { error = message }, Json), "application/json", Encoding.UTF8, StatusCodes.Status400BadRequest);

    private static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        return false;
    }

    internal static object Verdicts(IEnumerable<LeakVerdict> verdicts) =>
        verdicts
            .Where(v => v.Kind != VerdictKind.NotEnoughData && !(v.Kind == VerdictKind.Stable && v.Max == 0))
            .OrderByDescending(v => v.IsLeaking).ThenBy(v => v.TimeToCapacity ?? TimeSpan.MaxValue).ThenBy(v => v.Key)
            .Where(v => v.IsLeaking || !MetricNames.IsBreakdown(v.Key.Metric))
            .Take(100)
            .Select(v => new
            {
                series = v.Key.ToString(),
                verdict = v.Kind.ToString().ToLowerInvariant(),
                slopePerHour = v.SlopePerHour,
                slopeLowPerHour = v.SlopeLowPerHour,
                slopeHighPerHour = v.SlopeHighPerHour,
                last = v.Last,
                capacity = v.Capacity,
                capacityName = v.CapacityName,
                timeToCapacitySeconds = v.TimeToCapacity?.TotalSeconds,
                onset = v.Onset,
                towards = v.Towards,
                summary = v.Summary,
            })
            .ToList();

    private object Alerts(ServeSnapshot s)
    {
        var events = s.Live ? s.Events : _config.Data.Load().Data.Events;
        return new
        {
            rules = s.Rules,
            firing = s.Firing.Select(f => new { rule = f.Rule, series = f.Series, since = f.Since }),
            // What fired and resolved, and deliveries: an alert nobody received is news for whoever reads the dashboard.
            events = events.Where(e => e.Kind is EventKind.Alert or EventKind.Delivery).TakeLast(50).Reverse()
                .Select(e => new { time = e.Time, kind = e.Kind.ToString().ToLowerInvariant(), detail = e.Detail }),
        };
    }

    private object RoundEvent(ServeSnapshot s)
    {
        // The chart lines are the top series of each family; ten thousand peers need not travel every second.
        var peers = s.Samples.Where(x => MetricNames.IsBreakdown(x.Key.Metric))
            .OrderByDescending(x => x.Value).Take(64);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var sample in s.Samples.Where(x => !MetricNames.IsBreakdown(x.Key.Metric)).Concat(peers))
        {
            if (double.IsFinite(sample.Value))
            {
                values[sample.Key.ToString()] = sample.Value;
            }
        }

        return new
        {
            rounds = s.Rounds,
            t = s.Time?.ToUnixTimeMilliseconds() / 1000.0,
            values,
            verdicts = Verdicts(s.Verdicts),
            alerts = Alerts(s),
        };
    }

    private async Task<object> Suspects(CancellationToken cancellationToken)
    {
        if (_suspects is null)
        {
            return new { enabled = false, groups = Array.Empty<object>() };
        }

        var report = await _suspects.GetAsync(cancellationToken).ConfigureAwait(false);
        return report is null
            ? new { enabled = true, error = "PostgreSQL did not answer", groups = Array.Empty<object>() }
            : new
            {
                enabled = true,
                threshold = report.Threshold.TotalSeconds,
                total = report.Total,
                note = report.PrivilegeNote,
                groups = report.Groups.Select(g => new
                {
                    application = g.Application,
                    client = g.Client,
                    user = g.User,
                    database = g.Database,
                    count = g.Count,
                    idleInTransaction = g.IdleInTransaction,
                    oldestIdleSeconds = g.OldestIdleSeconds,
                    lastQuery = g.LastQuery is null ? null : PgSuspects.Shorten(g.LastQuery, 200),
                }),
            };
    }

    /// <summary>The suspects query asks for query texts: at most once every ten seconds, however many browsers ask.</summary>
    private sealed class SuspectsCache(string connectionString, TimeSpan threshold) : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private (DateTimeOffset At, SuspectsReport? Report)? _last;

        public void Dispose() => _gate.Dispose();

        public async Task<SuspectsReport?> GetAsync(CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_last is { } last && DateTimeOffset.UtcNow - last.At < TimeSpan.FromSeconds(10))
                {
                    return last.Report;
                }

                SuspectsReport? report;
                try
                {
                    report = await PgSuspects.FindAsync(connectionString, threshold, null, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (PgErrors.IsUnavailable(e) || e is LeakHoundException)
                {
                    report = null;
                }

                _last = (DateTimeOffset.UtcNow, report);
                return report;
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>Ctrl+C belongs to the command (it stops the watch first); the host must not install its own handler.</summary>
    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>
/// Server-Sent Events: every browser gets each round as one <c>round</c> event, serialized once however many listen.
/// A slow browser loses its oldest rounds rather than holding the others up.
/// </summary>
internal sealed class SseHub : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Channel<string>> _clients = [];
    private readonly IDisposable _subscription;
    private readonly ServeState _state;
    private readonly Func<ServeSnapshot, string> _serialize;

    public SseHub(ServeState state, Func<ServeSnapshot, string> serialize)
    {
        _state = state;
        _serialize = serialize;
        _subscription = state.Subscribe(OnSnapshot);
    }

    public int Clients
    {
        get
        {
            lock (_gate)
            {
                return _clients.Count;
            }
        }
    }

    public async Task StreamAsync(HttpContext context, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(32) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        lock (_gate)
        {
            _clients.Add(channel);
        }

        try
        {
            await context.Response.WriteAsync("retry: 2000\n\n", linked.Token).ConfigureAwait(false);
            if (_state.Current.Rounds > 0)
            {
                channel.Writer.TryWrite(_serialize(_state.Current));
            }

            await context.Response.Body.FlushAsync(linked.Token).ConfigureAwait(false);
            await foreach (var message in channel.Reader.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                await context.Response.WriteAsync("event: round\ndata: " + message + "\n\n", linked.Token).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away, or serve is stopping.
        }
        finally
        {
            lock (_gate)
            {
                _clients.Remove(channel);
            }
        }
    }

    public void Dispose()
    {
        _subscription.Dispose();
        lock (_gate)
        {
            foreach (var client in _clients)
            {
                client.Writer.TryComplete();
            }
        }
    }

    private void OnSnapshot(ServeSnapshot snapshot)
    {
        Channel<string>[] clients;
        lock (_gate)
        {
            if (_clients.Count == 0)
            {
                return;
            }

            clients = [.. _clients];
        }

        var message = _serialize(snapshot);
        foreach (var client in clients)
        {
            client.Writer.TryWrite(message);
        }
    }
}
