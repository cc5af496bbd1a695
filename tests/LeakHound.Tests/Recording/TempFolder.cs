namespace LeakHound.Tests.Recording;

/// <summary>A folder of its own per test, removed afterwards, so tests run in parallel without sharing files.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Root);

    public string Root { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "leakhound-tests", Guid.NewGuid().ToString("N"));

    public string Path(string name) => System.IO.Path.Combine(Root, name);

    public string Write(string name, string text)
    {
        var path = Path(name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on failure must not hide the test's own error.
        }
    }
}
