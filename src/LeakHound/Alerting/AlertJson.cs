using System.Text.Json;

namespace LeakHound.Alerting;

/// <summary>The alert as JSON, for webhooks and exec programs. Labels stay data: System.Text.Json escapes them.</summary>
public static class AlertJson
{
    public static byte[] Serialize(AlertNotice n)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            Write(json, n);
        }

        return stream.ToArray();
    }

    public static void Write(Utf8JsonWriter json, AlertNotice n)
    {
        json.WriteStartObject();
        json.WriteString("kind", AlertText.KindName(n.Kind));
        json.WriteString("rule", n.Rule);
        json.WriteString("summary", AlertText.Subject(n));
        json.WriteString("text", AlertText.Body(n));
        if (n.Series is { } series)
        {
            json.WriteString("series", series.ToString());
            json.WriteString("metric", series.Metric);
            json.WriteStartObject("labels");
            foreach (var (name, value) in series.Labels)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        WriteNumber(json, "value", n.Value);
        WriteNumber(json, "capacity", n.Capacity);
        WriteNumber(json, "share_of_capacity", n.ShareOfCapacity);
        if (n.Verdict is { } v)
        {
            json.WriteStartObject("trend");
            json.WriteString("verdict", AlertText.VerdictName(v));
            json.WriteNumber("slope_per_hour", v.SlopePerHour);
            WriteNumber(json, "time_to_capacity_seconds", v.TimeToCapacity?.TotalSeconds);
            json.WriteString("summary", v.Summary);
            json.WriteEndObject();
        }

        json.WriteStartArray("top_peers");
        foreach (var (peer, count) in n.TopPeers)
        {
            json.WriteStartObject();
            json.WriteString("peer", peer);
            json.WriteNumber("connections", count);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (n.Pid is { } pid)
        {
            json.WriteNumber("pid", pid);
        }

        if (n.Process is { } process)
        {
            json.WriteString("process", process);
        }

        json.WriteString("host", n.Host);
        if (n.Since is { } since)
        {
            json.WriteString("since", since.UtcDateTime);
        }

        json.WriteString("time", n.Time.UtcDateTime);
        json.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
    }
}
