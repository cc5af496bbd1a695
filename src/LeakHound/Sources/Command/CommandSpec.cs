using LeakHound.Samples;

namespace LeakHound.Sources.Command;

/// <summary>A user's <c>NAME=shell command</c>: a command that prints a number, recorded as <c>command.NAME</c>.</summary>
public sealed record CommandSpec(string Name, string Shell)
{
    public SeriesKey Key { get; } = SeriesKey.Of(MetricNames.CommandPrefix + Name);

    public static CommandSpec Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == text.Length - 1)
        {
            throw new UsageException($"--command '{text}' must look like NAME=command, for example open_files='ls /proc/1234/fd | wc -l'.");
        }

        var name = text[..eq].Trim();
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new UsageException($"--command name '{name}' may hold only letters, digits, '_', '-' and '.'.");
        }

        return new CommandSpec(name, text[(eq + 1)..]);
    }
}
