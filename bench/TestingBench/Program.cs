using System.Diagnostics;
using System.Globalization;
using LeakHound.Testing;

// A suite of N "tests", each making a few HTTP calls to a local server, timed four ways, interleaved over rounds:
// no guard; the assembly-wide guard (a ConnectionLeakGuard around each test); the guard with LeakTrackingHandler
// recording stacks; and seed 003's pool of one with every test run twice.
var tests = ArgInt("--tests", 1000);
var calls = ArgInt("--calls", 3);
var rounds = ArgInt("--rounds", 7);

await using var server = StubServer.Start();
server.On("GET", "/api").Respond(200).WithJson("{\"ok\":true}");

using var plain = new HttpClient(new SocketsHttpHandler()) { BaseAddress = server.BaseAddress };
using var tracked = new HttpClient(new LeakTrackingHandler(new SocketsHttpHandler())) { BaseAddress = server.BaseAddress };
using var poolOfOne = new HttpClient(PoolOfOne.CreateHandler()) { BaseAddress = server.BaseAddress };

async Task Test(HttpClient http)
{
    for (var i = 0; i < calls; i++)
    {
        using var response = await http.GetAsync("/api");
        await response.Content.ReadAsStringAsync();
    }
}

var modes = new (string Name, Func<Task> Suite)[]
{
    ("no guard", async () => { for (var t = 0; t < tests; t++) { await Test(plain); } }),
    ("assembly-wide guard", async () =>
    {
        for (var t = 0; t < tests; t++)
        {
            var guard = ConnectionLeakGuard.Start();
            await Test(plain);
            await guard.AssertNoLeaksAsync();
        }
    }),
    ("guard + LeakTrackingHandler", async () =>
    {
        for (var t = 0; t < tests; t++)
        {
            var guard = ConnectionLeakGuard.Start();
            await Test(tracked);
            await guard.AssertNoLeaksAsync();
        }
    }),
    ("pool of one, each test twice", async () =>
    {
        for (var t = 0; t < tests; t++)
        {
            await Test(poolOfOne);
            await Test(poolOfOne);
        }
    }),
};

foreach (var (_, suite) in modes)
{
    await suite(); // warm-up: JIT, connections
}

var times = modes.ToDictionary(m => m.Name, _ => new List<double>());
for (var r = 0; r < rounds; r++)
{
    foreach (var (name, suite) in modes)
    {
        var clock = Stopwatch.StartNew();
        await suite();
        times[name].Add(clock.Elapsed.TotalMilliseconds);
    }
}

var baseline = Median(times["no guard"]);
Console.WriteLine(FormattableString.Invariant($"{tests} tests x {calls} HTTP calls to a local server, {rounds} interleaved rounds after a warm-up; medians:"));
Console.WriteLine();
Console.WriteLine("| Suite | median ms | min ms | per test µs | vs no guard |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var (name, _) in modes)
{
    var m = Median(times[name]);
    Console.WriteLine(FormattableString.Invariant($"| {name} | {m:0.0} | {times[name].Min():0.0} | {m * 1000 / tests:0} | {(m / baseline - 1) * 100:+0.0;-0.0}% |"));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

int ArgInt(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
