using System.Text.Json;

namespace LeakHound;

/// <summary>What LeakHound's JSON writers share: a number that may be missing is null, never left out or NaN.</summary>
internal static class JsonWriterExtensions
{
    /// <summary>The number, or null when absent or not finite (JSON has no NaN or infinity).</summary>
    public static void WriteNumberOrNull(this Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
