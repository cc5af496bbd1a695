using System.Globalization;

namespace LeakHound.Sources.Postgres;

/// <summary>
/// How many connections one application can open at most: pool size × threads per process × processes per host ×
/// hosts (seed 004: a pool size copied onto every worker and every dyno outgrew the database's limit).
/// Written <c>web=pool:10,threads:5,processes:4,hosts:3</c> or, shorter, <c>web=10x5x4x3</c> in the same order;
/// a factor left out of the long form is 1.
/// </summary>
public sealed record AppPlan(string Name, int Pool, int Threads, int Processes, int Hosts)
{
    public const string Syntax = "NAME=pool:N,threads:N,processes:N,hosts:N or NAME=POOLxTHREADSxPROCESSESxHOSTS (e.g. web=pool:10,threads:5,processes:4,hosts:3 or web=10x5x4x3)";

    public long MaxConnections => (long)Pool * Threads * Processes * Hosts;

    public string Formula => $"{Pool} × {Threads} × {Processes} × {Hosts}";

    public static AppPlan Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == text.Length - 1)
        {
            throw Bad(text, "expected NAME=…");
        }

        var name = text[..eq].Trim();
        var spec = text[(eq + 1)..].Trim();
        return spec.Contains(':', StringComparison.Ordinal) ? Named(text, name, spec) : Short(text, name, spec);
    }

    private static AppPlan Short(string text, string name, string spec)
    {
        var parts = spec.Split(['x', 'X', '×', '*'], StringSplitOptions.TrimEntries);
        if (parts.Length != 4)
        {
            throw Bad(text, "the short form has four numbers: pool x threads x processes x hosts");
        }

        return new AppPlan(name, Number(text, "pool", parts[0]), Number(text, "threads", parts[1]), Number(text, "processes", parts[2]), Number(text, "hosts", parts[3]));
    }

    private static AppPlan Named(string text, string name, string spec)
    {
        int? pool = null;
        int threads = 1, processes = 1, hosts = 1;
        foreach (var part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            var key = colon < 0 ? part : part[..colon].Trim().ToLowerInvariant();
            var value = colon < 0 ? "" : part[(colon + 1)..];
            switch (key)
            {
                case "pool": pool = Number(text, key, value); break;
                case "threads" or "thread": threads = Number(text, key, value); break;
                case "processes" or "process" or "workers": processes = Number(text, key, value); break;
                case "hosts" or "host" or "instances": hosts = Number(text, key, value); break;
                default: throw Bad(text, $"unknown factor '{key}' (pool, threads, processes, hosts)");
            }
        }

        return new AppPlan(name, pool ?? throw Bad(text, "pool:N is required"), threads, processes, hosts);
    }

    private static int Number(string text, string what, string value) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw Bad(text, $"{what} must be a whole number above 0, not '{value}'");

    private static UsageException Bad(string text, string why) => new($"--app '{text}': {why}. Write {Syntax}.");
}

/// <summary>The applications' worst case against what the server lets ordinary clients open.</summary>
public sealed record CapacityPlan(IReadOnlyList<AppPlan> Apps, int MaxConnections, int Reserved)
{
    /// <summary>max_connections minus the reserved slots: what all applications share.</summary>
    public int Limit => MaxConnections - Reserved;

    public long Total => Apps.Sum(a => a.MaxConnections);

    public long Headroom => Limit - Total;

    public bool CanExceed => Total > Limit;

    /// <summary>The share of the limit the applications can take at most, in percent.</summary>
    public double PercentOfLimit => Limit > 0 ? Total * 100.0 / Limit : double.PositiveInfinity;
}
