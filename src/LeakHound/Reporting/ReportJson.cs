using System.Text;
using System.Text.Json;

namespace LeakHound.Reporting;

/// <summary>The charts as the JSON the report's script reads: per chart, x in Unix seconds and one y array a series.</summary>
/// <remarks>
/// Written with <see cref="Utf8JsonWriter"/>'s default encoder, which escapes <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>,
/// quotes, non-ASCII and U+2028/2029, so no text from the recording can close the script element it sits in.
/// </remarks>
internal static class ReportJson
{
    /// <summary>A limit line this far above everything else would flatten the chart; it starts hidden instead.</summary>
    private const double HiddenLimitRatio = 20;

    public static string Write(ReportModel model)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("title", model.Options.Title);
            json.WriteStartArray("charts");
            foreach (var chart in model.Charts)
            {
                WriteChart(json, chart);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The limit of a chart whose limit line starts hidden, or null.</summary>
    public static double? LimitHidden(ReportChart chart)
    {
        var limit = chart.Group.Lines.FirstOrDefault(l => l.IsLimit);
        var others = chart.Group.Lines.Where(l => !l.IsLimit).ToList();
        if (limit is null || others.Count == 0)
        {
            return null;
        }

        var top = limit.Series.Points.Max(p => p.Value);
        var data = others.Max(l => l.Series.Points.Max(p => p.Value));
        return top > Math.Max(data, 1) * HiddenLimitRatio ? top : null;
    }

    private static void WriteChart(Utf8JsonWriter json, ReportChart chart)
    {
        json.WriteStartObject();
        json.WriteString("id", chart.Group.Id);
        json.WriteString("title", chart.Group.Title);
        if (chart.Group.Note is { } note)
        {
            json.WriteString("note", note);
        }

        json.WriteString("unit", chart.Group.Unit == ChartUnit.Bytes ? "bytes" : "count");
        json.WriteNumberOrNull("capacity", chart.Group.Capacity);

        json.WriteStartArray("x");
        foreach (var t in chart.Data.Times)
        {
            // Seconds, as uPlot's time scale expects, to the millisecond.
            json.WriteNumberValue(t / 1000.0);
        }

        json.WriteEndArray();
        json.WriteStartArray("breaks");
        foreach (var row in chart.Data.Breaks)
        {
            json.WriteNumberValue(row);
        }

        json.WriteEndArray();
        var hiddenLimit = LimitHidden(chart) is not null;
        json.WriteStartArray("series");
        for (var s = 0; s < chart.Group.Lines.Count; s++)
        {
            var line = chart.Group.Lines[s];
            json.WriteStartObject();
            json.WriteString("label", line.Label);
            json.WriteString("key", line.Series.Key.ToString());
            json.WriteBoolean("limit", line.IsLimit);
            json.WriteBoolean("hidden", line.IsLimit && hiddenLimit);
            json.WriteStartArray("y");
            foreach (var v in chart.Data.Values[s])
            {
                if (double.IsFinite(v))
                {
                    json.WriteNumberValue(v);
                }
                else
                {
                    json.WriteNullValue();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("markers");
        foreach (var marker in chart.Markers)
        {
            json.WriteStartObject();
            json.WriteNumber("t", marker.Time.ToUnixTimeMilliseconds() / 1000.0);
            json.WriteString("kind", marker.Kind);
            json.WriteString("label", marker.Label);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
