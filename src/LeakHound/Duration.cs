using System.Globalization;

namespace LeakHound;

/// <summary>Durations as users write them: <c>500ms</c>, <c>5s</c>, <c>1m</c>, <c>2h</c>, <c>1d</c>, <c>1m30s</c>, or <c>0</c>.</summary>
public static class Duration
{
    public static TimeSpan Parse(string text, string what = "duration")
    {
        if (TryParse(text, out var value))
        {
            return value;
        }

        throw new UsageException($"'{text}' is not a valid {what}: write a number and a unit, such as 500ms, 5s, 1m, 2h or 1d.");
    }

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s == "0")
        {
            return true;
        }

        var total = 0.0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            double? unitMs = s[unitStart..i].ToLowerInvariant() switch
            {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => null,
            };
            if (unitMs is null)
            {
                return false;
            }

            total += number * unitMs.Value;
        }

        if (total > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Short human form: <c>1h 05m</c>, <c>42s</c>, <c>250ms</c>.</summary>
    public static string Format(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            return "-" + Format(-span);
        }

        if (span.TotalSeconds < 1)
        {
            return $"{span.TotalMilliseconds:0}ms";
        }

        if (span.TotalMinutes < 1)
        {
            return $"{span.TotalSeconds:0.#}s";
        }

        if (span.TotalHours < 1)
        {
            return $"{span.Minutes}m {span.Seconds:00}s";
        }

        if (span.TotalDays < 1)
        {
            return $"{(int)span.TotalHours}h {span.Minutes:00}m";
        }

        return $"{(int)span.TotalDays}d {span.Hours:00}h";
    }
}
