using System.Globalization;

namespace LeakyService;

/// <summary>
/// Hand-rolled parsing of "mode --name value --flag" (System.CommandLine is not a dependency of the sample).
/// Every option must be consumed by the mode; leftovers are a usage error.
/// </summary>
internal sealed class ArgReader
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public ArgReader(IReadOnlyList<string> args)
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
                throw new UsageError($"unexpected argument '{name}'.");
            }

            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            if (!_options.TryAdd(name, value))
            {
                throw new UsageError($"option {name} given twice.");
            }
        }
    }

    public string? Mode { get; }

    public bool Flag(string name)
    {
        if (!_options.TryGetValue(name, out var value))
        {
            return false;
        }

        _used.Add(name);
        return value is null ? true : throw new UsageError($"option {name} takes no value.");
    }

    public string? String(string name)
    {
        if (!_options.TryGetValue(name, out var value))
        {
            return null;
        }

        _used.Add(name);
        return value ?? throw new UsageError($"option {name} needs a value.");
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
            : throw new UsageError($"{name} must be a whole number from {min} to {max}, not '{text}'.");
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
            : throw new UsageError($"{name} must be a number from {min} to {max}, not '{text}'.");
    }

    /// <summary>A duration such as "2s", "500ms", "5m", "1h" or plain seconds ("2").</summary>
    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && n * unit <= 86_400 * 365
            ? TimeSpan.FromSeconds(n * unit)
            : throw new UsageError($"{name} must be a duration such as 2s, 500ms or 5m, not '{text}'.");
    }

    /// <summary>Fails on any option the mode did not ask for.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _options.Keys.FirstOrDefault(k => !_used.Contains(k));
        if (unknown is not null)
        {
            throw new UsageError($"unknown option {unknown} for mode '{Mode}'.");
        }
    }
}
