using System.Text.Json;

namespace LeakHound.Cli.Tests;

/// <summary>
/// A process command line is text from another party: here it holds HTML, JavaScript, ANSI escapes (clear screen, set
/// the window title), Spectre markup, shell metacharacters and 100,000 more characters. ps shows it (shortened in the
/// table, whole in JSON) as text; watch, export and the report, which name the process only, must not let any of it
/// through; nothing runs it.
/// </summary>
public sealed class HostileCommandLineTests
{
    private const char Esc = '\u001b';

    [Fact]
    public async Task A_hostile_command_line_is_harmless_in_ps_watch_and_the_report()
    {
        using var dir = new TempDir();
        var canary = dir.File("canary");
        var marker = "lh-hostile-" + Guid.NewGuid().ToString("N")[..8];
        var hostile = $"{marker}<script>document.title='pwned'</script>{Esc}[2J{Esc}]0;pwned\a[bold red]x[/]$(touch {canary})`touch {canary}`;touch {canary}"
            + new string('A', 100_000);
        using var holder = await SocketHolder.StartAsync(3, 1, "--tag", hostile);

        // ps as a table: one short line for it, no escape reaching the terminal.
        var table = await ChildProcess.RunLeakHoundAsync("ps", "--top", "1000");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.DoesNotContain(Esc, table.Stdout);
        Assert.Contains(table.Stdout.Split('\n'), l => l.Contains(holder.Pid.ToString(), StringComparison.Ordinal) && l.Length < 300);
        Assert.True(table.Stdout.Length < 100_000, $"ps printed {table.Stdout.Length} characters");

        // ps as JSON: the command line whole, as data; nothing a browser or terminal would act on.
        var json = await ChildProcess.RunLeakHoundAsync("ps", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.DoesNotContain(Esc, json.Stdout);
        Assert.DoesNotContain("<script>", json.Stdout, StringComparison.Ordinal);
        using (var rows = JsonDocument.Parse(json.Stdout))
        {
            var row = rows.RootElement.EnumerateArray().Single(p => p.GetProperty("pid").GetInt32() == holder.Pid);
            Assert.Contains(hostile, row.GetProperty("command_line").GetString(), StringComparison.Ordinal);
        }

        // watch by name, then export and a report of what it recorded.
        var db = dir.File("hostile.db");
        var watch = await ChildProcess.RunLeakHoundAsync("watch", "--name", marker, "--interval", "100ms", "--count", "3", "--out", db);
        Assert.True(watch.ExitCode == 0, watch.ToString());
        Assert.DoesNotContain(Esc, watch.Stdout + watch.Stderr);
        Assert.Contains("close_wait=1", watch.Stdout, StringComparison.Ordinal);

        var html = dir.File("hostile.html");
        var plot = await ChildProcess.RunLeakHoundAsync("plot", db, "--out", html);
        Assert.True(plot.ExitCode == 0, plot.ToString());
        var report = await File.ReadAllTextAsync(html);
        Assert.DoesNotContain("<script>document.title", report, StringComparison.Ordinal);
        Assert.DoesNotContain(Esc, report);

        var export = await ChildProcess.RunLeakHoundAsync("export", db, "--csv", "-");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.DoesNotContain(Esc, export.Stdout);

        Assert.False(File.Exists(canary), "a command line was run by a shell");
    }
}
