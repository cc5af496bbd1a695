using Spectre.Console;

namespace LeakHound.Cli.Views;

/// <summary>The small pieces every terminal panel draws with, so they look and colour the same everywhere.</summary>
internal static class Widgets
{
    /// <summary>A 20-cell bar of a share of capacity: green, yellow from 75%, red from 90%.</summary>
    public static string Bar(double fraction)
    {
        const int width = 20;
        var filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width);
        var colour = fraction >= 0.9 ? "red" : fraction >= 0.75 ? "yellow" : "green";
        return $"[{colour}]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/]";
    }

    /// <summary>A change since the start: growth in red (the leak's direction), shrinkage in green.</summary>
    public static string Change(double change) =>
        change > 0 ? $"[red]{Format.Signed(change)}[/]" : change < 0 ? $"[green]{Format.Signed(change)}[/]" : "[grey]0[/]";

    /// <summary>A borderless table whose number columns are right-aligned.</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in columns)
        {
            table.AddColumn(new TableColumn(c) { Alignment = c is "now" or "Δ start" or "of capacity" ? Justify.Right : Justify.Left });
        }

        return table;
    }
}
