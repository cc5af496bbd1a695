using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LeakHound.Alerting;

/// <summary>Reads the words, numbers and symbols of an alert rule, keeping columns for error messages.</summary>
internal sealed class TokenReader
{
    private readonly string _text;
    private int _position;

    public TokenReader(string text) => _text = text;

    public bool TryKeyword(string keyword)
    {
        SkipSpace();
        var end = WordEnd(_position);
        if (end - _position == keyword.Length && string.Compare(_text, _position, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) == 0)
        {
            _position = end;
            return true;
        }

        return false;
    }

    public void Keyword(string keyword)
    {
        if (!TryKeyword(keyword))
        {
            Fail($"'{keyword}'", Peek());
        }
    }

    public bool TrySymbol(string symbol)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _position, symbol, 0, symbol.Length) == 0)
        {
            _position += symbol.Length;
            return true;
        }

        return false;
    }

    public void Symbol(string symbol)
    {
        if (!TrySymbol(symbol))
        {
            Fail($"'{symbol}'", Peek());
        }
    }

    public string Word(string expected)
    {
        SkipSpace();
        var end = WordEnd(_position);
        if (end == _position)
        {
            Fail(expected, Peek());
        }

        var word = _text[_position..end];
        _position = end;
        return word;
    }

    public string Metric()
    {
        SkipSpace();
        var start = _position;
        var word = Word("a metric name such as process.tcp.connections");
        if (!char.IsAsciiLetter(word[0]))
        {
            _position = start;
            Fail("a metric name such as process.tcp.connections", word);
        }

        return word;
    }

    /// <summary>A label value: a word, or a double-quoted string for values with spaces or symbols.</summary>
    public string Value()
    {
        SkipSpace();
        if (_position < _text.Length && _text[_position] == '"')
        {
            var close = _text.IndexOf('"', _position + 1);
            if (close < 0)
            {
                Fail("a closing '\"'", "the end of the rule");
            }

            var value = _text[(_position + 1)..close];
            _position = close + 1;
            return value;
        }

        SkipSpace();
        var end = _position;
        while (end < _text.Length && _text[end] is not (',' or '}') && !char.IsWhiteSpace(_text[end]))
        {
            end++;
        }

        if (end == _position)
        {
            Fail("a label value", Peek());
        }

        var word = _text[_position..end];
        _position = end;
        return word;
    }

    public Comparison Comparison()
    {
        if (TrySymbol(">="))
        {
            return Alerting.Comparison.AtLeast;
        }

        if (TrySymbol("<="))
        {
            return Alerting.Comparison.AtMost;
        }

        if (TrySymbol(">"))
        {
            return Alerting.Comparison.Above;
        }

        if (TrySymbol("<"))
        {
            return Alerting.Comparison.Below;
        }

        Fail("'>', '>=', '<', '<=' or 'exhausts'", Peek());
        return default; // not reached: Fail throws
    }

    public (double Value, bool Percent) Number(bool allowPercent, string expected = "a number")
    {
        SkipSpace();
        var start = _position;
        var end = start;
        while (end < _text.Length && (char.IsAsciiDigit(_text[end]) || _text[end] is '.' or '_' or ','))
        {
            end++;
        }

        var digits = _text[start..end].Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        var value = 0.0;
        if (end == start || !double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
        {
            Fail(expected, Peek());
        }

        _position = end;
        if (allowPercent && TrySymbol("%"))
        {
            return (value, true);
        }

        return (value, false);
    }

    public TimeSpan Duration()
    {
        SkipSpace();
        var start = _position;
        var word = _position < _text.Length ? _text[_position..WordEnd(_position)] : "";
        if (!LeakHound.Duration.TryParse(word, out var span) || span <= TimeSpan.Zero)
        {
            _position = start;
            Fail("a duration such as 30s, 10m or 2h", word.Length == 0 ? Peek() : word);
        }

        _position += word.Length;
        return span;
    }

    public void ExpectEnd()
    {
        SkipSpace();
        if (_position < _text.Length)
        {
            Fail("the end of the rule", Peek());
        }
    }

    [DoesNotReturn]
    public void Fail(string expected, string found) =>
        throw new AlertRuleException($"alert rule '{_text.Trim()}': expected {expected} at column {_position + 1}, found {found}.");

    private string Peek()
    {
        SkipSpace();
        if (_position >= _text.Length)
        {
            return "the end of the rule";
        }

        var end = WordEnd(_position);
        return $"'{(end > _position ? _text[_position..end] : _text[_position].ToString())}'";
    }

    private int WordEnd(int from)
    {
        var end = from;
        while (end < _text.Length && (char.IsAsciiLetterOrDigit(_text[end]) || _text[end] is '.' or '_' or '-' or '/'))
        {
            end++;
        }

        return end;
    }

    private void SkipSpace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }
}
