using LeakHound.Analysis;
using Spectre.Console;

namespace LeakHound.Cli.Views;

/// <summary>
/// Verdicts for people: leaking series first, one sentence each; the rest compactly, one row each; series that were
/// 0 throughout (most of the twelve TCP states, most of the time) folded into one line.
/// </summary>
internal static class VerdictReport
{
    public static void Write(IReadOnlyList<LeakVerdict> verdicts, string path)
    {
        var leaking = verdicts.Where(v => v.IsLeaking).OrderByDescending(v => v.Key.Metric == Samples.MetricNames.TcpConnections).ThenByDescending(v => v.SlopePerHour).ToList();
        var zeros = verdicts.Count(v => v.Kind == VerdictKind.Stable && v.Min == 0 && v.Max == 0);
        var others = verdicts.Where(v => !v.IsLeaking && !(v.Kind == VerdictKind.Stable && v.Min == 0 && v.Max == 0)).ToList();

        AnsiConsole.MarkupLine(leaking.Count == 0
            ? $"[green]No leak[/] in {Terminal.Safe(path)}: {verdicts.Count} series analysed."
            : $"[red]{leaking.Count} of {verdicts.Count} series leak[/] in {Terminal.Safe(path)}:");
        foreach (var v in leaking)
        {
            AnsiConsole.MarkupLine($"  [red]leaking[/]  {Terminal.Safe(v.Summary)}");
        }

        if (others.Count > 0)
        {
            var table = new Table().Border(TableBorder.None).HideHeaders();
            table.AddColumn("verdict");
            table.AddColumn("series");
            table.AddColumn(new TableColumn("last") { Alignment = Justify.Right });
            table.AddColumn(new TableColumn("trend") { Alignment = Justify.Right });
            table.AddColumn("p");
            foreach (var v in others.OrderBy(v => v.Kind).ThenBy(v => v.Key))
            {
                var colour = v.Kind switch { VerdictKind.Shrinking => "green", VerdictKind.NotEnoughData => "yellow", _ => "grey" };
                table.AddRow(
                    $"  [{colour}]{VerdictText.Word(v.Kind)}[/]",
                    Terminal.Safe(VerdictText.Name(v.Key)),
                    v.Points == 0 ? "-" : VerdictText.Number(v.Last),
                    v.Kind == VerdictKind.NotEnoughData ? $"{v.Points} points" : v.Min == v.Max ? "flat" : VerdictText.Rate(v.SlopePerHour),
                    v.Kind == VerdictKind.NotEnoughData || v.Min == v.Max ? "" : VerdictText.P(v.PValue));
            }

            AnsiConsole.Write(table);
        }

        if (zeros > 0)
        {
            AnsiConsole.MarkupLine($"  [grey]{zeros} series flat at 0.[/]");
        }
    }
}
