using System.CommandLine;
using LeakHound.Recording;

namespace LeakHound.Cli.Commands;

internal static class ExportCommand
{
    public static Command Build()
    {
        var file = new Argument<string>("FILE") { Description = "A LeakHound store (or a CSV file)." };
        var csv = new Option<string>("--csv") { Description = "Where to write the CSV; - for standard output.", Required = true };
        var metric = new Option<string?>("--metric") { Description = "Only this metric (a name, a prefix such as process.tcp, or a whole series key)." };
        var command = new Command("export", "Write a recording as CSV: a time column, then one column per series.") { file, csv, metric };
        command.SetAction(parse =>
        {
            var data = RecordingInput.Read(parse.GetValue(file)!, parse.GetValue(metric));
            if (data.Series.Count == 0)
            {
                throw new LeakHoundException(parse.GetValue(metric) is { } m
                    ? $"No series in {parse.GetValue(file)} match '{m}'."
                    : $"{parse.GetValue(file)} holds no samples yet.");
            }

            var target = parse.GetValue(csv)!;
            if (target == "-")
            {
                CsvExporter.Export(data, Console.Out);
                return CliApp.Ok;
            }

            int rows;
            try
            {
                using var writer = new StreamWriter(target);
                rows = CsvExporter.Export(data, writer);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new LeakHoundException($"Cannot write {target}: {e.Message}");
            }

            Console.Error.WriteLine($"Wrote {rows} rows of {data.Series.Count} series to {target}.");
            return CliApp.Ok;
        });
        return command;
    }
}
