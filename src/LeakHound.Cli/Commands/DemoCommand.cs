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
        var json = new Option<bool>("--json") { Description = "Print only the result as JSON (store, report and every verdict); progress goes to standard error." };
        var command = new Command("demo", "Start a deliberately leaky service, watch it leak, and say what leaked, towards whom and how fast.")
        {
            duration, interval, output, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var length = Duration.Parse(parse.GetValue(duration)!, "duration");
            var every = Duration.Parse(parse.GetValue(interval)!, "interval");
            if (every <= TimeSpan.Zero || length < every)
            {
                throw new UsageException("--interval must be positive and no longer than --duration.");
            }

            return await RunAsync(length, every, parse.GetValue(output)!, parse.GetValue(json), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(TimeSpan duration, TimeSpan interval, string outPath, bool json, CancellationToken cancellationToken)
    {
        var inspector = ProcessInspectors.ForCurrentOs();
        var store = Watching.OpenStore(outPath);
        await using var sample = await LeakySample.StartAsync(cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"Started the leaky service (PID {sample.ClientPid}) calling a downstream at {sample.Downstream} that answers 403 with an HTML page.");

        var source = new ProcessSource(inspector, new ProcessTarget.ById(sample.ClientPid));
        source.Resolve();
        var rounds = (int)Math.Max(2, Math.Round(duration / interval)) + 1;
        var subject = $"LeakyService (PID {sample.ClientPid})";
        var heading = new WatchHeading(subject, interval, outPath, null);
        // With --json, stdout holds only the result: the rounds go to stderr as plain lines, the progress.
        var view = json ? new PlainView(heading, Console.Error) : WatchView.Choose(json: false, heading);
        await Watching.RunAsync(new Sampler([source], interval, rounds), store, view, subject, cancellationToken).ConfigureAwait(false);
        await sample.DisposeAsync().ConfigureAwait(false);

        var data = RecordingReader.Read(outPath);
        var (html, _, _) = PlotCommand.Write(outPath, Path.ChangeExtension(outPath, ".html"));
        if (json)
        {
            WriteJson(LeakAnalyzer.Analyze(data), outPath, html);
        }
        else
        {
            Summarise(data, outPath);
            AnsiConsole.MarkupLine($"Report: [blue]{Terminal.Safe(html)}[/]");
        }

        return CliApp.Ok;
    }

    private static void WriteJson(IReadOnlyList<LeakVerdict> verdicts, string outPath, string html)
    {
        StdoutJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("store", Path.GetFullPath(outPath));
            json.WriteString("report", html);
            json.WriteBoolean("leaking", verdicts.Any(v => v.IsLeaking));
            json.WritePropertyName("verdicts");
            VerdictJson.WriteArray(json, verdicts);
            json.WriteEndObject();
        }, VerdictJson.Options);
    }

    /// <summary>The verdicts that matter after a demo: each leaking TCP state (naming its peer) and the fd count.</summary>
    private static void Summarise(RecordedData data, string outPath)
    {
        var verdicts = LeakAnalyzer.Analyze(data);
        var shown = verdicts
            .Where(v => v.Key.Metric is MetricNames.TcpConnections or MetricNames.Fds)
            .Where(v => v.IsLeaking || v.Key.Metric == MetricNames.Fds)
            .OrderBy(v => v.Key.Metric == MetricNames.Fds)
            .ThenByDescending(v => v.SlopePerHour)
            .ToList();
        AnsiConsole.WriteLine();
        if (!verdicts.Any(v => v.IsLeaking))
        {
            AnsiConsole.MarkupLine("[green]No series leaked during the demo.[/]");
        }

        foreach (var v in shown)
        {
            AnsiConsole.MarkupLine(v.IsLeaking ? $"[red]{Terminal.Safe(v.Summary)}[/]" : Terminal.Safe(v.Summary));
        }

        AnsiConsole.MarkupLine($"Recorded to [blue]{Terminal.Safe(Path.GetFullPath(outPath))}[/]. Analyse it again with: leakhound analyze {Terminal.Safe(outPath)}");
    }
}
