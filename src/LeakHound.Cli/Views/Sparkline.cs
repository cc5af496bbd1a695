namespace LeakHound.Cli.Views;

internal static class Sparkline
{
    private const string Bars = "▁▂▃▄▅▆▇█";

    /// <summary>One block character per value, scaled between the values' own minimum and maximum.</summary>
    public static string Of(IEnumerable<double> values)
    {
        var list = values as IReadOnlyList<double> ?? values.ToList();
        if (list.Count == 0)
        {
            return "";
        }

        var min = list.Min();
        var max = list.Max();
        var chars = new char[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            var level = max > min ? (int)Math.Round((list[i] - min) / (max - min) * (Bars.Length - 1)) : 0;
            chars[i] = Bars[level];
        }

        return new string(chars);
    }
}
