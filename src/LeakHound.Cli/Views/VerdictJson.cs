using System.Text.Encodings.Web;
using System.Text.Json;
using LeakHound.Analysis;

namespace LeakHound.Cli.Views;

/// <summary>
/// Verdicts as one JSON array, a stable schema for scripts: key, metric, labels, verdict, slope_per_hour,
/// slope_ci [low, high], p_value, onset, capacity, time_to_capacity_seconds, last, points, from, to, segments,
/// towards (a peer, or "CLIENT on :PORT" when towards_client), towards_client, summary. Absent values are null, never
/// left out. Relaxed escaping keeps "+590/min" readable; the output is JSON for scripts, never embedded in HTML.
/// </summary>
internal static class VerdictJson
{
    /// <summary>The options of every document holding verdicts (analyze's, the demo's).</summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    /// <summary>The verdicts alone, as <c>analyze --json</c> prints them.</summary>
    public static void WriteToStdout(IReadOnlyList<LeakVerdict> verdicts) => StdoutJson.Write(json => WriteArray(json, verdicts), Options);

    /// <summary>The verdicts as a JSON array at the writer's position.</summary>
    public static void WriteArray(Utf8JsonWriter json, IReadOnlyList<LeakVerdict> verdicts)
    {
        json.WriteStartArray();
        foreach (var v in verdicts)
        {
            json.WriteStartObject();
            json.WriteString("key", v.Key.ToString());
            json.WriteString("metric", v.Key.Metric);
            json.WriteStartObject("labels");
            foreach (var (name, value) in v.Key.Labels)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            json.WriteString("verdict", VerdictText.Word(v.Kind));
            json.WriteNumber("slope_per_hour", v.SlopePerHour);
            json.WriteStartArray("slope_ci");
            json.WriteNumberValue(v.SlopeLowPerHour);
            json.WriteNumberValue(v.SlopeHighPerHour);
            json.WriteEndArray();
            json.WriteNumber("p_value", v.PValue);
            WriteTime(json, "onset", v.Onset);
            json.WriteNumberOrNull("capacity", v.Capacity);
            json.WriteNumberOrNull("time_to_capacity_seconds", v.TimeToCapacity?.TotalSeconds);
            json.WriteNumber("last", v.Last);
            json.WriteNumber("points", v.Points);
            WriteTime(json, "from", v.Points > 0 ? v.From : null);
            WriteTime(json, "to", v.Points > 0 ? v.To : null);
            json.WriteNumber("segments", v.Segments);
            json.WriteString("towards", v.Towards);

            json.WriteBoolean("towards_client", v.TowardsClient);

            json.WriteString("summary", v.Summary);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time) =>
        json.WriteString(name, time is { } t ? Format.Time(t) : null);
}
