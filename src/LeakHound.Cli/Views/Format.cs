using System.Globalization;

namespace LeakHound.Cli.Views;

internal static class Format
{
    public static string Count(double value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    public static string Signed(double value) =>
        value > 0 ? "+" + Count(value) : value < 0 ? "-" + Count(-value) : "0";

    public static string Bytes(double bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / (1L << 10):0.0} KiB",
        _ => $"{bytes:0} B",
    };

    public static string Percent(double part, double whole) =>
        whole > 0 ? (part / whole * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : "-";

    public static string Rate(double perHour) => Math.Abs(perHour) switch
    {
        >= 3600 => $"{Signed(Math.Round(perHour / 60, 1))}/min",
        _ => $"{Signed(Math.Round(perHour, 1))}/h",
    };

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
