using System.Text.Json;

namespace LeakHound.Recording;

/// <summary>
/// Writes a recording as one JSON document for scripts: every series with its labels and points, and the events
/// (starts, gaps, restarts, alerts, notes) that a CSV table leaves out.
/// <code>{"series": [{"key", "metric", "labels": {}, "points": [["2026-11-23T06:54:14.000Z", 12], …]}],
///  "events": [{"time", "kind", "pid", "detail"}]}</code>
/// Times are ISO 8601 UTC with milliseconds, as in CSV. Streamed: a week of samples never sits in memory as text.
/// </summary>
public static class JsonExporter
{
    /// <returns>The number of points written.</returns>
    public static long Export(RecordedData data, Stream output)
    {
        long points = 0;
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteStartArray("series");
            foreach (var series in data.Series)
            {
                json.WriteStartObject();
                json.WriteString("key", series.Key.ToString());
                json.WriteString("metric", series.Key.Metric);
                json.WriteStartObject("labels");
                foreach (var (name, value) in series.Key.Labels)
                {
                    json.WriteString(name, value);
                }

                json.WriteEndObject();
                json.WriteStartArray("points");
                foreach (var point in series.Points)
                {
                    json.WriteStartArray();
                    json.WriteStringValue(CsvFormat.Time(point.Time));
                    if (double.IsFinite(point.Value))
                    {
                        json.WriteNumberValue(point.Value);
                    }
                    else
                    {
                        json.WriteNullValue();
                    }

                    json.WriteEndArray();
                    points++;
                }

                json.WriteEndArray();
                json.WriteEndObject();
                if (json.BytesPending > 64 * 1024)
                {
                    json.Flush();
                }
            }

            json.WriteEndArray();
            json.WriteStartArray("events");
            foreach (var e in data.Events)
            {
                json.WriteStartObject();
                json.WriteString("time", CsvFormat.Time(e.Time));
                json.WriteString("kind", e.Kind.ToString().ToLowerInvariant());
                json.WriteNumberOrNull("pid", e.Pid);

                json.WriteString("detail", e.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        output.Flush();
        return points;
    }
}
