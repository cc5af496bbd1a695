using LeakHound.Recording;
using LeakHound.Samples;

namespace LeakHound.Cli.Tests;

/// <summary>A disk that fills during a watch: one clear line, exit 1, and everything recorded before it kept and readable.</summary>
public sealed class FullDiskTests
{
    [Fact]
    public async Task A_full_disk_stops_the_recording_cleanly_and_keeps_what_was_written()
    {
        using var mountPoint = new TempDir();
        using var copy = new TempDir();

        // A private mount namespace with a 256 KiB tmpfs: no root needed (-r), and the mount vanishes with the process.
        var result = await ChildProcess.RunAsync("unshare",
        [
            "-rm", "--", "sh", "-c",
            "mount -t tmpfs -o size=256k tmpfs \"$0\" && dotnet \"$1\" watch --command 'x=echo 7' --interval 0 --count 100000 --out \"$0/full.db\" > /dev/null; echo \"watch-exit=$?\"; cp \"$0\"/full.db* \"$2\"/",
            mountPoint.Path, ChildProcess.Dll("leakhound.dll"), copy.Path,
        ]);

        Assert.Contains("watch-exit=1", result.Stdout);
        var errors = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var error = Assert.Single(errors);
        Assert.Equal($"leakhound: Cannot write {mountPoint.Path}/full.db: the disk is full.", error);

        var stored = RecordingReader.Read(copy.File("full.db"));
        var points = stored.Find(SeriesKey.Of("command.x"))!.Points;
        Assert.True(points.Count > 10, $"only {points.Count} rounds survived");
        Assert.All(points, p => Assert.Equal(7, p.Value));
    }
}
