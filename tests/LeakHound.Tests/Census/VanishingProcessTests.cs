using System.Diagnostics;
using LeakHound.Sources.Process;
using LeakHound.Sources.Process.Linux;

namespace LeakHound.Tests.Census;

/// <summary>/proc entries vanish mid-read when a process dies during its census: that must only ever be "gone".</summary>
public sealed class VanishingProcessTests
{
    [Fact]
    public async Task A_census_of_dying_processes_says_gone_or_counts_never_crashes()
    {
        var inspector = new LinuxProcessInspector();
        int gone = 0, counted = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5) && gone + counted < 300)
        {
            // A process that lives a few milliseconds: the census races its exit.
            using var child = Process.Start(new ProcessStartInfo("sh", ["-c", "exec 3<>/dev/null; :"]) { UseShellExecute = false })!;
            try
            {
                var census = inspector.Take(child.Id);
                Assert.True(census.Fds >= 0);
                counted++;
            }
            catch (ProcessGoneException)
            {
                gone++;
            }

            await child.WaitForExitAsync();
        }

        Assert.True(gone + counted >= 50, $"only {gone + counted} censuses in 5 s");
        Assert.True(gone > 0, "no census raced an exit; the test proved nothing");
    }
}
