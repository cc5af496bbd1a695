using System.CommandLine;
using LeakHound.Analysis;
using LeakHound.Cli.Views;
using LeakHound.Recording;

namespace LeakHound.Cli.Commands;

/// <summary>Leak verdicts for a recording; exit 1 when any series leaks, so CI can gate on it.</summary>
internal static class AnalyzeCommand
{
    public static Command Build()
    {
        var file = new Argument<string>("FILE") { Description = "A LeakHound store or a CSV file (the seeds' unix_ts,value lines, wide or long)." };
        var metric = new Option<string?>("--metric") { Description = "Only this metric (a name, a prefix such as process.tcp, or a whole series key)." };
        var capacity = new Option<double?>("--capacity") { Description = "Capacity of connection counts (pool size, max_connections): when it is reached at the current rate." };
        var json = new Option<bool>("--json") { Description = "Print every verdict as JSON." };
        var command = new Command("analyze", "Say which series leak: verdict, growth per hour with a 95% interval, onset, time to capacity. Exit 1 when any leaks.")
        {
            file, metric, capacity, json,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var filter = parse.GetValue(metric);
            if (parse.GetValue(capacity) is { } c && (!double.IsFinite(c) || c <= 0))
            {
                throw new UsageException($"--capacity must be a positive number, not {c}.");
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var data = RecordingInput.Read(path, filter);
            var read = clock.Elapsed;
            if (data.Series.Count == 0)
            {
                throw new LeakHoundException(filter is { } m ? $"No series in {path} match '{m}'." : $"{path} holds no samples yet.");
            }

            // Memory and threads only when asked for: they grow while a runtime warms up, and the question here is connections.
            var verdicts = LeakAnalyzer.Analyze(data, new AnalysisOptions { Capacity = parse.GetValue(capacity), AllSeries = filter is not null });
            if (Environment.GetEnvironmentVariable("LEAKHOUND_TIMING") is not null)
            {
                Console.Error.WriteLine($"read {read.TotalMilliseconds:0} ms, analysed {(clock.Elapsed - read).TotalMilliseconds:0} ms");
            }

            if (parse.GetValue(json))
            {
                VerdictJson.WriteToStdout(verdicts);
            }
            else
            {
                VerdictReport.Write(verdicts, path);
            }

            return verdicts.Any(v => v.IsLeaking) ? CliApp.Failed : CliApp.Ok;
        });
        return command;
    }
}
