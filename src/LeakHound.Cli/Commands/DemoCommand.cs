using System.CommandLine;
using LeakHound.Analysis;
using LeakHound.Cli.Views;
using LeakHound.Recording;
using LeakHound.Samples;
using LeakHound.Sources;
using LeakHound.Sources.Process;
using Spectre.Console;

namespace LeakHound.Cli.Commands;

/// <summary>
/// Seed 002 in half a minute: a client that never disposes 403 responses from a downstream that then closes the
/// connection, so CLOSE_WAIT climbs. Both run as real child processes; LeakHound watches the client from outside.
/// </summary>
internal static class DemoCommand
{
    public static Command Build()
    {
        var duration = new Option<string>("--duration") { Description = "How long to watch the leaky service.", DefaultValueFactory = _ => "30s" };
        var interval = new Option<string>("--interval") { Description = "Time between rounds.", DefaultValueFactory = _ => "1s" };
        var output = new Option<string>("--out") { Description = "Where to record the demo.", DefaultValueFactory = _ => "leakhound-demo.db" };
        var command = new Command("demo", "Start a deliberately leaky service, watch it leak, and say what leaked, towards whom and how fast.")
        {
            duration, interval, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var length = Duration.Parse(parse.GetValue(duration)!, "duration");
            var every = Duration.Parse(parse.GetValue(interval)!, "interval");
            if (every <= TimeSpan.Zero || length < every)
            {
                throw new UsageException("--interval must be positive and no longer than --duration.");
            }

            return await RunAsync(length, every, parse.GetValue(output)!, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(TimeSpan duration, TimeSpan interval, string outPath, CancellationToken cancellationToken)
    {
        var inspector = ProcessInspectors.ForCurrentOs();
        var store = Watching.OpenStore(outPath);
        await using var sample = await LeakySample.StartAsync(cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"Started the leaky service (PID {sample.ClientPid}) calling a downstream at {sample.Downstream} that answers 403 with an HTML page.");

        var source = new ProcessSource(inspector, new ProcessTarget.ById(sample.ClientPid));
        source.Resolve();
        var rounds = (int)Math.Max(2, Math.Round(duration / interval)) + 1;
        var subject = $"LeakyService (PID {sample.ClientPid})";
        var view = WatchView.Choose(json: false, new WatchHeading(subject, interval, outPath, null));
        await Watching.RunAsync(new Sampler([source], interval, rounds), store, view, subject, cancellationToken).ConfigureAwait(false);
        await sample.DisposeAsync().ConfigureAwait(false);

        Summarise(RecordingReader.Read(outPath), outPath);
        WriteReport(outPath);
        return CliApp.Ok;
    }

    /// <summary>The HTML report next to the store (leakhound-demo.db gives leakhound-demo.html).</summary>
    private static void WriteReport(string outPath)
    {
        var (html, _, _) = PlotCommand.Write(outPath, Path.ChangeExtension(outPath, ".html"));
        AnsiConsole.MarkupLine($"Report: [blue]{Terminal.Safe(html)}[/]");
    }

    private static void Summarise(RecordedData data, string outPath)
    {
        var grown = GrowthFindings.TcpStates(data);
        AnsiConsole.WriteLine();
        if (grown.Count == 0)
        {
            AnsiConsole.MarkupLine("[green]No TCP state grew during the demo.[/]");
        }

        foreach (var g in grown)
        {
            var towards = g.TopPeer is null ? "" : $", {Format.Count(g.TopPeerChange)} of them towards [bold]{Terminal.Safe(g.TopPeer)}[/]";
            AnsiConsole.MarkupLine(
                $"[red]{Terminal.Safe(g.State)}[/] grew from {Format.Count(g.Growth.First)} to [bold]{Format.Count(g.Growth.Last)}[/] " +
                $"in {Duration.Format(g.Growth.Span)} ({Format.Rate(g.Growth.SlopePerHour)}){towards}.");
        }

        if (GrowthFindings.Of(data, SeriesKey.Of(MetricNames.Fds)) is { Change: > 0 } fds)
        {
            var limit = data.Find(SeriesKey.Of(MetricNames.FdLimit))?.Points is { Count: > 0 } points ? points[^1].Value : (double?)null;
            var eta = limit is > 0 && fds.SlopePerHour > 0 ? $"; at this rate the fd limit of {Format.Count(limit.Value)} is reached in {Duration.Format(TimeSpan.FromHours((limit.Value - fds.Last) / fds.SlopePerHour))}" : "";
            AnsiConsole.MarkupLine($"Open fds grew from {Format.Count(fds.First)} to {Format.Count(fds.Last)} ({Format.Rate(fds.SlopePerHour)}){eta}.");
        }

        AnsiConsole.MarkupLine($"Recorded to [blue]{Terminal.Safe(Path.GetFullPath(outPath))}[/]. Export it with: leakhound export {Terminal.Safe(outPath)} --csv demo.csv");
    }
}
