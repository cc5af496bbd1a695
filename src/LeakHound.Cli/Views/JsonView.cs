using System.Text.Encodings.Web;
using System.Text.Json;
using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.Sources;

namespace LeakHound.Cli.Views;

/// <summary>One JSON object per round on standard output: <c>{"time", "pid", "samples": [{"metric", "labels", "value"}], "events"?}</c>.</summary>
internal sealed class JsonView : WatchView
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.Default };
    private readonly Stream _out = Console.OpenStandardOutput();

    public override void Show(WatchHistory history, RoundBuilder round) => Write(round.Time, round.Pid, round.Samples, round.Events);

    /// <summary>The same shape as a round's, with no samples, so a script reading rounds reads it too.</summary>
    public override void ShowLate(WatchHistory history, RecordedEvent e) => Write(e.Time, history.Pid, [], [e]);

    private void Write(DateTimeOffset time, int? roundPid, IReadOnlyCollection<Sample> samples, IReadOnlyCollection<RecordedEvent> events)
    {
        using (var json = new Utf8JsonWriter(_out, Options))
        {
            json.WriteStartObject();
            json.WriteString("time", Format.Time(time));
            json.WriteNumberOrNull("pid", roundPid);

            json.WriteStartArray("samples");
            foreach (var sample in samples)
            {
                json.WriteStartObject();
                json.WriteString("metric", sample.Key.Metric);
                json.WriteStartObject("labels");
                foreach (var (name, value) in sample.Key.Labels)
                {
                    json.WriteString(name, value);
                }

                json.WriteEndObject();
                json.WriteNumber("value", sample.Value);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (events.Count > 0)
            {
                json.WriteStartArray("events");
                foreach (var e in events)
                {
                    json.WriteStartObject();
                    json.WriteString("kind", e.Kind.ToString().ToLowerInvariant());
                    json.WriteString("detail", e.Detail);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        _out.WriteByte((byte)'\n');
        _out.Flush();
    }
}
