using System.Globalization;
using LeakHound;

namespace CensusBench;

/// <summary>Hand-rolled "mode --name value --flag" parsing; every option must be consumed by the mode.</summary>
internal sealed class BenchArgs
{
    public const string Usage =
        "Usage: CensusBench census [--runs 30] [--warmup 3] [--pairs 9000] [--close-wait 2000] [--v6 0] [--pid PID] [--leaky PATH] | " +
        "watch-cost --leakhound PATH/leakhound.dll [--minutes 10] [--interval 1s] [--sockets 1000] [--sample-every 10s] [--leaky PATH]";

    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public BenchArgs(IReadOnlyList<string> args)
    {
        var start = 0;
        if (args.Count > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Mode = args[0];
            start = 1;
        }

        for (var i = start; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length == 2)
            {
                throw new UsageException($"unexpected argument '{name}'.");
            }

            string? value = null;
            if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            if (!_options.TryAdd(name, value))
            {
                throw new UsageException($"option {name} given twice.");
            }
        }
    }

    public string? Mode { get; }

    public string? String(string name)
    {
        if (!_options.TryGetValue(name, out var value))
        {
            return null;
        }

        _used.Add(name);
        return value ?? throw new UsageException($"option {name} needs a value.");
    }

    public int Int(string name, int fallback, int min, int max)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new UsageException($"{name} must be a whole number from {min} to {max}, not '{text}'.");
    }

    public double Double(string name, double fallback, double min, double max)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new UsageException($"{name} must be a number from {min} to {max}, not '{text}'.");
    }

    /// <summary>"1s", "500ms", "2m" or plain seconds, as text (passed on) and as a span.</summary>
    public (string Text, TimeSpan Span) Duration(string name, string fallback)
    {
        var text = String(name) ?? fallback;
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && n * unit <= 86_400
            ? (text, TimeSpan.FromSeconds(n * unit))
            : throw new UsageException($"{name} must be a duration such as 1s, 500ms or 2m, not '{text}'.");
    }

    public void EnsureAllUsed()
    {
        var unknown = _options.Keys.FirstOrDefault(k => !_used.Contains(k));
        if (unknown is not null)
        {
            throw new UsageException($"unknown option {unknown} for mode '{Mode}'.");
        }
    }
}
