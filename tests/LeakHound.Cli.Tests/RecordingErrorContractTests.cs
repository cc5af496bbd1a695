using LeakHound.Recording;

namespace LeakHound.Cli.Tests;

/// <summary>
/// The contract the CLI relies on when it prints an error and exits: recording failures arrive as
/// <see cref="LeakHoundException"/> with exit code 1 and a single line naming the file.
/// </summary>
public sealed class RecordingErrorContractTests
{
    [Fact]
    public void Reading_a_missing_recording_is_a_one_line_runtime_error()
    {
        var path = Path.Combine(Path.GetTempPath(), "leakhound-missing-" + Guid.NewGuid().ToString("N") + ".db");

        var e = Assert.Throws<LeakHoundException>(() => RecordingReader.Read(path));

        Assert.Equal(1, e.ExitCode);
        Assert.Equal($"Cannot read {path}: no such file.", e.Message);
    }

    [Fact]
    public void Writing_under_a_missing_directory_is_a_one_line_runtime_error()
    {
        var path = Path.Combine(Path.GetTempPath(), "leakhound-missing-" + Guid.NewGuid().ToString("N"), "rec.db");

        var e = Assert.Throws<LeakHoundException>(() => SqliteStore.OpenForWriting(path));

        Assert.Equal(1, e.ExitCode);
        Assert.StartsWith($"Cannot write {path}: the directory ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
