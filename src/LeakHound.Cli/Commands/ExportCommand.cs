using System.CommandLine;
using LeakHound.Recording;

namespace LeakHound.Cli.Commands;

/// <summary><c>leakhound export</c>: a recording as wide CSV for spreadsheets, or as JSON (with its events) for scripts.</summary>
internal static class ExportCommand
{
    public static Command Build()
    {
        var file = new Argument<string>("FILE") { Description = "A LeakHound store (or a CSV file)." };
        var csv = new Option<string?>("--csv") { Description = "Write CSV here: a time column, then one column per series; - for standard output." };
        var json = new Option<string?>("--json") { Description = "Write JSON here: every series with its points, and the events; - for standard output." };
        var metric = new Option<string?>("--metric") { Description = "Only this metric (a name, a prefix such as process.tcp, or a whole series key)." };
        var command = new Command("export", "Write a recording as CSV (a time column, then one column per series) or as JSON.") { file, csv, json, metric };
        command.SetAction(parse =>
        {
            var (target, asJson) = (parse.GetValue(csv), parse.GetValue(json)) switch
            {
                ({ } c, null) => (c, false),
                (null, { } j) => (j, true),
                _ => throw new UsageException("Give one of --csv FILE or --json FILE (- for standard output)."),
            };
            if (target != "-" && Path.GetFullPath(target) == Path.GetFullPath(parse.GetValue(file)!))
            {
                throw new UsageException($"{target} is the recording itself: writing there would destroy it. Give another file.");
            }

            var data = RecordingInput.Read(parse.GetValue(file)!, parse.GetValue(metric));
            if (data.Series.Count == 0)
            {
                throw new LeakHoundException(parse.GetValue(metric) is { } m
                    ? $"No series in {parse.GetValue(file)} match '{m}'."
                    : $"{parse.GetValue(file)} holds no samples yet.");
            }

            if (target == "-")
            {
                if (asJson)
                {
                    using var stdout = Console.OpenStandardOutput();
                    JsonExporter.Export(data, stdout);
                }
                else
                {
                    CsvExporter.Export(data, Console.Out);
                }

                return CliApp.Ok;
            }

            string written;
            try
            {
                using var stream = File.Create(target);
                if (asJson)
                {
                    written = $"{JsonExporter.Export(data, stream)} points";
                }
                else
                {
                    using var writer = new StreamWriter(stream);
                    written = $"{CsvExporter.Export(data, writer)} rows";
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new LeakHoundException($"Cannot write {target}: {e.Message}");
            }

            Console.Error.WriteLine($"Wrote {written} of {data.Series.Count} series to {target}.");
            return CliApp.Ok;
        });
        return command;
    }
}
