using System.Diagnostics;
using System.Text.Json;

namespace LeakHound.Cli.Tests;

/// <summary>
/// The server side of a CLOSE_WAIT leak (LeakyService server: clients hang up, the server never closes its end):
/// the verdict names the clients and the listening port, where per-peer series would each hold one connection.
/// Fixed (the server closes at the end of the stream), the same watch finds nothing.
/// </summary>
public sealed class ServerLeakTests
{
    [Fact]
    public async Task A_server_that_never_closes_is_found_leaking_from_its_clients_on_its_port()
    {
        var (verdicts, port) = await WatchServerAsync();

        var closeWait = verdicts.Single(v => v.GetProperty("key").GetString() == "process.tcp.connections{state=\"close_wait\"}");
        Assert.Equal("leaking", closeWait.GetProperty("verdict").GetString());
        Assert.True(closeWait.GetProperty("towards_client").GetBoolean());
        Assert.Equal($"127.0.0.1 on :{port}", closeWait.GetProperty("towards").GetString());
        Assert.Contains($"from 127.0.0.1 on :{port}", closeWait.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fixed_server_shows_no_leak()
    {
        var (verdicts, _) = await WatchServerAsync("--fixed");

        Assert.DoesNotContain(verdicts, v => v.GetProperty("verdict").GetString() == "leaking"
            && v.GetProperty("key").GetString()!.Contains("close_wait", StringComparison.Ordinal));
    }

    private static async Task<(List<JsonElement> Verdicts, int Port)> WatchServerAsync(params string[] extra)
    {
        using var server = ChildProcess.StartDll("LeakyService.dll", ["server", "--rate", "20", .. extra]);
        try
        {
            var line = await server.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException(await server.StandardError.ReadToEndAsync());
            var port = int.Parse(line[(line.LastIndexOf(':') + 1)..]);
            _ = server.StandardError.ReadToEndAsync();
            using var dir = new TempDir();
            var db = dir.File("server.db");

            var watch = await ChildProcess.RunLeakHoundAsync("watch", "--pid", server.Id.ToString(), "--interval", "500ms", "--count", "16", "--out", db);
            Assert.True(watch.ExitCode == 0, watch.ToString());
            var analyze = await ChildProcess.RunLeakHoundAsync("analyze", db, "--json");
            Assert.True(analyze.ExitCode is 0 or 1, analyze.ToString());
            return (JsonDocument.Parse(analyze.Stdout).RootElement.EnumerateArray().ToList(), port);
        }
        finally
        {
            ChildProcess.Stop(server);
        }
    }
}
