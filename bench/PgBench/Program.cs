using System.Diagnostics;
using System.Globalization;
using LeakHound.Sources;
using LeakHound.Sources.Postgres;
using LeakHound.TestSupport;

// One PostgreSQL census round with N client backends: LeakHound warm (its pooled connection, one round trip)
// against `psql -c` running the same statements as a new process, as the seeds did by hand. See bench/README.md.
var backends = Option("--backends", 500);
var runs = Option("--runs", 50);
var psqlRuns = Option("--psql-runs", 20);

Console.Error.WriteLine($"PgBench: starting PostgreSQL 15 and opening {backends} client connections…");
await using var server = await PostgresServer.StartAsync(maxConnections: backends + 50);
var held = new List<IdleConnections>();
try
{
    // 25 applications, some connections left idle in a transaction, like a busy server with a leak or two.
    for (var i = 0; i < backends; i++)
    {
        var query = i % 10 == 0 ? "BEGIN; SELECT 1" : $"SELECT {i}";
        held.Add(await server.OpenIdleAsync($"app-{i % 25:00}", 1, query));
    }

    await using var source = new PostgresSource(server.ConnectionString(), TimeSpan.FromMinutes(10));
    var samples = 0;
    for (var i = 0; i < 5; i++)
    {
        samples = (await Round(source)).Samples.Count;
    }

    var census = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var watch = Stopwatch.StartNew();
        var round = await Round(source);
        census.Add(watch.Elapsed.TotalMilliseconds);
        if (round.Events.Count > 0)
        {
            throw new InvalidOperationException(round.Events[0].Detail);
        }
    }

    var seen = (await Round(source)).Samples.Where(s => s.Key.Metric == LeakHound.Samples.MetricNames.PgConnections).Sum(s => s.Value);
    var psql = new List<double>();
    var script = PgActivityQuery.Script(withQueries: false);
    for (var i = 0; i < psqlRuns; i++)
    {
        var watch = Stopwatch.StartNew();
        await Psql(server.Port, script);
        psql.Add(watch.Elapsed.TotalMilliseconds);
    }

    var c = Stats(census);
    var p = Stats(psql);
    Console.WriteLine($"Client backends seen by the census: {seen} (of {backends} opened); samples per round: {samples}");
    Console.WriteLine();
    Console.WriteLine("| Method | Runs | Median ms | p90 ms | Min ms |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    Console.WriteLine($"| LeakHound census round (warm) | {runs} | {c.Median:0.00} | {c.P90:0.00} | {c.Min:0.00} |");
    Console.WriteLine($"| `psql -c` same statements (new process) | {psqlRuns} | {p.Median:0.00} | {p.P90:0.00} | {p.Min:0.00} |");
    Console.WriteLine();
    Console.WriteLine($"census ÷ psql = {c.Median / p.Median:0.00}; target: under 20 ms per round warm: {(c.Median < 20 ? "met" : "NOT met")}");
    return seen == backends && c.Median < 20 ? 0 : 1;
}
finally
{
    foreach (var h in held)
    {
        await h.DisposeAsync();
    }
}

static async Task<RoundBuilder> Round(PostgresSource source)
{
    var round = new RoundBuilder(DateTimeOffset.UtcNow);
    await source.CollectAsync(round, CancellationToken.None);
    return round;
}

static async Task Psql(int port, string script)
{
    var start = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in new[] { "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-c", script })
    {
        start.ArgumentList.Add(a);
    }

    using var process = Process.Start(start)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    _ = await stdout;
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException("psql failed: " + await stderr);
    }
}

static (double Median, double P90, double Min) Stats(List<double> values)
{
    var sorted = values.Order().ToArray();
    return (At(sorted, 0.5), At(sorted, 0.9), sorted[0]);
}

static double At(double[] sorted, double p)
{
    var rank = p * (sorted.Length - 1);
    var low = (int)Math.Floor(rank);
    var high = Math.Min(low + 1, sorted.Length - 1);
    return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
}

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
