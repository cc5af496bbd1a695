using LeakHound.Recording;

namespace LeakHound.Cli;

/// <summary>Reads a recording for a command and tells the user, on standard error, what the reader had to fix.</summary>
internal static class RecordingInput
{
    public static RecordedData Read(string path, string? metric = null)
    {
        var data = RecordingReader.Read(path, metric);
        foreach (var note in data.Notes)
        {
            Console.Error.WriteLine($"leakhound: note: {Terminal.Neutralise(note)}");
        }

        return data;
    }
}
