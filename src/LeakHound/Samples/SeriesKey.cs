using System.Text;

namespace LeakHound.Samples;

/// <summary>
/// Identifies one time series: a metric name and its labels, e.g.
/// <c>process.tcp.peer.connections{peer="127.0.0.1:8080",state="close_wait"}</c>.
/// Labels are kept sorted by name so that equal keys have equal text.
/// </summary>
public sealed class SeriesKey : IEquatable<SeriesKey>, IComparable<SeriesKey>
{
    private static readonly KeyValuePair<string, string>[] NoLabels = [];
    private readonly string _text;

    private SeriesKey(string metric, KeyValuePair<string, string>[] labels)
    {
        Metric = metric;
        Labels = labels;
        _text = Format(metric, labels);
    }

    public string Metric { get; }

    /// <summary>Labels sorted by name (ordinal).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; }

    public static SeriesKey Of(string metric) => new(ValidateMetric(metric), NoLabels);

    public static SeriesKey Of(string metric, params (string Name, string Value)[] labels)
    {
        ValidateMetric(metric);
        if (labels.Length == 0)
        {
            return new SeriesKey(metric, NoLabels);
        }

        var sorted = new KeyValuePair<string, string>[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            sorted[i] = new(labels[i].Name, labels[i].Value);
        }

        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new SeriesKey(metric, sorted);
    }

    public static SeriesKey Of(string metric, IEnumerable<KeyValuePair<string, string>> labels) =>
        Of(metric, labels.Select(l => (l.Key, l.Value)).ToArray());

    /// <summary>The value of a label, or null when the key has no such label.</summary>
    public string? Label(string name)
    {
        foreach (var label in Labels)
        {
            if (label.Key == name)
            {
                return label.Value;
            }
        }

        return null;
    }

    /// <summary>Parses the text form produced by <see cref="ToString"/>.</summary>
    public static SeriesKey Parse(string text)
    {
        if (!TryParse(text, out var key, out var error))
        {
            throw new FormatException($"'{text}' is not a series key: {error}.");
        }

        return key;
    }

    public static bool TryParse(string text, out SeriesKey key, out string error)
    {
        key = null!;
        text = text.Trim();
        var brace = text.IndexOf('{', StringComparison.Ordinal);
        var metric = brace < 0 ? text : text[..brace];
        if (!IsValidMetric(metric))
        {
            error = "the metric name must be letters, digits, '.', '_', '-' or '/'";
            return false;
        }

        if (brace < 0)
        {
            key = new SeriesKey(metric, NoLabels);
            error = "";
            return true;
        }

        if (!text.EndsWith('}'))
        {
            error = "labels must end with '}'";
            return false;
        }

        var labels = new List<(string, string)>();
        var i = brace + 1;
        var end = text.Length - 1;
        while (i < end)
        {
            var eq = text.IndexOf('=', i);
            if (eq < 0 || eq >= end)
            {
                error = $"expected name=\"value\" at column {i + 1}";
                return false;
            }

            var name = text[i..eq].Trim();
            i = eq + 1;
            if (i >= end || text[i] != '"')
            {
                error = $"expected '\"' at column {i + 1}";
                return false;
            }

            i++;
            var value = new StringBuilder();
            while (i < end && text[i] != '"')
            {
                if (text[i] == '\\' && i + 1 < end)
                {
                    i++;
                }

                value.Append(text[i]);
                i++;
            }

            if (i >= end)
            {
                error = "unterminated label value";
                return false;
            }

            labels.Add((name, value.ToString()));
            i++;
            if (i < end && text[i] == ',')
            {
                i++;
            }
        }

        key = Of(metric, labels.ToArray());
        error = "";
        return true;
    }

    public override string ToString() => _text;

    public bool Equals(SeriesKey? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is SeriesKey other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    public int CompareTo(SeriesKey? other) => other is null ? 1 : string.CompareOrdinal(_text, other._text);

    public static bool operator ==(SeriesKey? left, SeriesKey? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(SeriesKey? left, SeriesKey? right) => !(left == right);

    public static bool operator <(SeriesKey? left, SeriesKey? right) => left is null ? right is not null : left.CompareTo(right) < 0;

    public static bool operator >(SeriesKey? left, SeriesKey? right) => left is not null && left.CompareTo(right) > 0;

    public static bool operator <=(SeriesKey? left, SeriesKey? right) => !(left > right);

    public static bool operator >=(SeriesKey? left, SeriesKey? right) => !(left < right);

    private static string ValidateMetric(string metric) =>
        IsValidMetric(metric) ? metric : throw new ArgumentException($"'{metric}' is not a valid metric name.", nameof(metric));

    private static bool IsValidMetric(string metric) =>
        metric.Length > 0 && metric.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/');

    private static string Format(string metric, KeyValuePair<string, string>[] labels)
    {
        if (labels.Length == 0)
        {
            return metric;
        }

        var sb = new StringBuilder(metric).Append('{');
        for (var i = 0; i < labels.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(labels[i].Key).Append("=\"");
            foreach (var c in labels[i].Value)
            {
                if (c is '"' or '\\')
                {
                    sb.Append('\\');
                }

                sb.Append(c);
            }

            sb.Append('"');
        }

        return sb.Append('}').ToString();
    }
}
