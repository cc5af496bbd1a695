using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LeakHound.Cli.Tests;

/// <summary>
/// On a terminal, watch draws one view and redraws it in place each round (cursor up, not scrolling lines). Run
/// under util-linux's <c>script</c>, which gives the tool a real pseudo-terminal; the view is read back from what
/// the terminal received.
/// </summary>
public sealed partial class LiveViewTests
{
    [Fact]
    public async Task A_terminal_gets_one_view_redrawn_in_place_naming_a_servers_clients()
    {
        using var server = ChildProcess.StartDll("LeakyService.dll", "server", "--rate", "20");
        try
        {
            var line = await server.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException(await server.StandardError.ReadToEndAsync());
            var port = line[(line.LastIndexOf(':') + 1)..];
            _ = server.StandardError.ReadToEndAsync();
            using var dir = new TempDir();
            var db = dir.File("live.db");
            var command = $"dotnet {ChildProcess.Dll("leakhound.dll")} watch --pid {server.Id} --interval 300ms --count 8 --out {db}";

            var terminal = await RunOnTerminalAsync(command);

            // Redrawn in place: the cursor goes back up over the view once per round after the first.
            Assert.True(CursorUp().Count(terminal) >= 6, $"{CursorUp().Count(terminal)} redraws");
            var text = Escape().Replace(terminal, "");
            Assert.Contains("TCP state", text, StringComparison.Ordinal);
            Assert.Contains($"from 127.0.0.1 on :{port}", text, StringComparison.Ordinal);
            Assert.Contains("Ctrl+C stops and keeps everything recorded.", text, StringComparison.Ordinal);
            Assert.Contains("Recorded 8 rounds", text, StringComparison.Ordinal);
            Assert.Equal(8, LeakHound.Recording.RecordingReader.Read(db).Find(LeakHound.Samples.SeriesKey.Of("process.fds"))!.Points.Count);
        }
        finally
        {
            ChildProcess.Stop(server);
        }
    }

    /// <summary>Everything the terminal received; <c>script</c> runs the command through a shell on a new pty.</summary>
    private static async Task<string> RunOnTerminalAsync(string command)
    {
        var start = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-qfec", command, "/dev/null" })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["TERM"] = "xterm-256color";
        start.Environment.Remove("NO_COLOR");
        using var script = Process.Start(start)!;
        var output = script.StandardOutput.ReadToEndAsync();
        _ = script.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await script.WaitForExitAsync(cts.Token);
        Assert.Equal(0, script.ExitCode);
        return await output;
    }

    [GeneratedRegex(@"\e\[\d+A")]
    private static partial Regex CursorUp();

    [GeneratedRegex(@"\e\[[0-9;?]*[a-zA-Z]")]
    private static partial Regex Escape();
}
