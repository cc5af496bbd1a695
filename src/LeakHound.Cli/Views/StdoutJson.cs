using System.Text.Encodings.Web;
using System.Text.Json;

namespace LeakHound.Cli.Views;

/// <summary>How a command's <c>--json</c> reaches standard output: one document, then a newline.</summary>
internal static class StdoutJson
{
    /// <summary>Indented; the default encoder escapes &lt;, &gt; and &amp; too, so text from other parties is safe to paste into a page.</summary>
    public static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.Default };

    public static void Write(Action<Utf8JsonWriter> write, JsonWriterOptions? options = null)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, options ?? Options))
        {
            write(json);
        }

        stdout.WriteByte((byte)'\n');
    }
}
