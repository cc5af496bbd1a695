using System.Text;

namespace LeakHound;

/// <summary>
/// Text from other parties (peer names, command lines, application names, query text) made harmless where it is shown
/// as plain text: a terminal, an e-mail, a chat message.
/// </summary>
public static class UntrustedText
{
    /// <summary>Replaces control characters (ANSI escapes, carriage returns, line feeds) with U+FFFD, so the text cannot
    /// rewrite a screen or add a line (or a mail header) of its own.</summary>
    public static string Neutralise(string text)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsControl(c))
            {
                sb?.Append(c);
                continue;
            }

            sb ??= new StringBuilder(text, 0, i, text.Length + 8);
            sb.Append('\uFFFD');
        }

        return sb?.ToString() ?? text;
    }

    /// <summary>At most <paramref name="max"/> characters, the last an ellipsis when cut.</summary>
    public static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>Neutralised and at most <paramref name="max"/> characters: for a line that must stay one line.</summary>
    public static string OneLine(string text, int max) => Shorten(Neutralise(text), max);
}
