using Spectre.Console;

namespace LeakHound.Cli;

/// <summary>What the terminal can do, and how text from other parties is made harmless on it.</summary>
internal static class Terminal
{
    /// <summary>A live view redraws in place only on an interactive terminal; pipes and files get plain lines.</summary>
    public static bool IsInteractive =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    /// <summary>Replaces control characters (ANSI escapes, carriage returns) so peer names or command lines cannot rewrite the screen.</summary>
    public static string Neutralise(string text) => UntrustedText.Neutralise(text);

    /// <summary>Neutralised and escaped for Spectre markup.</summary>
    public static string Safe(string text) => Markup.Escape(Neutralise(text));
}
