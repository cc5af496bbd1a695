using System.Diagnostics;
using LeakHound.Sources.Process;
using LeakHound.Sources.Process.Linux;

namespace LeakHound.Tests.Census;

public sealed class ProcessLookupTests
{
    [Fact]
    public void Take_of_a_pid_that_never_existed_throws_process_gone()
    {
        var error = Assert.Throws<ProcessGoneException>(() => new LinuxProcessInspector().Take(int.MaxValue - 1));

        Assert.Equal(int.MaxValue - 1, error.Pid);
        Assert.Null(new LinuxProcessInspector().Identify(int.MaxValue - 1));
    }

    [Fact]
    public void Take_of_an_exited_child_throws_process_gone()
    {
        using var child = System.Diagnostics.Process.Start("true")!;
        child.WaitForExit();

        Assert.Throws<ProcessGoneException>(() => new LinuxProcessInspector().Take(child.Id));
        Assert.Throws<ProcessGoneException>(() => new LinuxProcessInspector(forceProcNet: true).Take(child.Id));
    }

    [Fact]
    public void Find_finds_a_child_by_its_command_line_and_nothing_else()
    {
        var marker = $"30.{Random.Shared.Next(100_000, 999_999)}";
        var start = new ProcessStartInfo("sleep");
        start.ArgumentList.Add(marker);
        using var child = System.Diagnostics.Process.Start(start)!;
        try
        {
            var inspector = new LinuxProcessInspector();

            // Between fork and exec the child still shows our own command line: give it a moment to become sleep.
            var deadline = Stopwatch.StartNew();
            while (inspector.Find(marker).Count == 0 && deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                Thread.Sleep(20);
            }

            var found = Assert.Single(inspector.Find(marker));
            var byName = inspector.Find("SLEEP");

            Assert.Equal(child.Id, found.Pid);
            Assert.Equal("sleep", found.Name);
            Assert.Equal($"sleep {marker}", found.CommandLine);
            Assert.Contains(byName, p => p.Pid == child.Id);
            Assert.DoesNotContain(inspector.Find("LeakHound.Tests"), p => p.Pid == Environment.ProcessId);
            Assert.Empty(inspector.Find($"no-such-process-{Guid.NewGuid():N}"));
        }
        finally
        {
            child.Kill();
        }
    }

    [Fact]
    public void Identify_reports_the_start_time_and_it_is_stable()
    {
        var inspector = new LinuxProcessInspector();

        var first = inspector.Identify(Environment.ProcessId);
        var second = inspector.Identify(Environment.ProcessId);

        Assert.NotNull(first?.StartTime);
        Assert.Equal(first.StartTime, second?.StartTime);
        Assert.InRange(first.StartTime.Value, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddSeconds(2));
        Assert.Equal(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime(), first.StartTime.Value.UtcDateTime, TimeSpan.FromSeconds(2));
    }
}
