using System.Globalization;

namespace LeakHound.Alerting;

/// <summary>
/// Parses alert rules. The grammar (also in the README):
/// <code>
/// rule      := selector compare number ['%' 'of' capacity] ['for' duration]
///            | selector 'exhausts' capacity 'within' duration ['for' duration]
///            | 'leaking' selector 'for' duration
///            | 'source' 'down' 'for' duration
/// selector  := metric ['{' label '=' value {',' label '=' value} '}']
/// compare   := '&gt;' | '&gt;=' | '&lt;' | '&lt;='
/// capacity  := number | 'limit' | 'capacity'
/// </code>
/// Errors say what was expected and at which column.
/// </summary>
public static class AlertRuleParser
{
    public static AlertRule Parse(string text)
    {
        var reader = new TokenReader(text);
        var rule = ParseRule(reader, text.Trim());
        reader.ExpectEnd();
        return rule;
    }

    private static AlertRule ParseRule(TokenReader reader, string text)
    {
        if (reader.TryKeyword("leaking"))
        {
            var selector = ParseSelector(reader);
            reader.Keyword("for");
            return new AlertRule.Leaking(text, selector, reader.Duration());
        }

        if (reader.TryKeyword("source"))
        {
            reader.Keyword("down");
            reader.Keyword("for");
            return new AlertRule.SourceDown(text, reader.Duration());
        }

        var series = ParseSelector(reader);
        if (reader.TryKeyword("exhausts"))
        {
            var capacity = ParseCapacity(reader);
            reader.Keyword("within");
            var within = reader.Duration();
            return new AlertRule.Exhaustion(text, series, capacity, within, OptionalFor(reader));
        }

        var comparison = reader.Comparison();
        var (value, percent) = reader.Number(allowPercent: true);
        if (percent)
        {
            if (value is <= 0 or > 1000)
            {
                reader.Fail("a percentage above 0", value.ToString(CultureInfo.InvariantCulture) + "%");
            }

            reader.Keyword("of");
            var of = ParseCapacity(reader);
            return new AlertRule.Threshold(text, series, comparison, value, value, of, OptionalFor(reader));
        }

        return new AlertRule.Threshold(text, series, comparison, value, null, default, OptionalFor(reader));
    }

    private static TimeSpan OptionalFor(TokenReader reader) => reader.TryKeyword("for") ? reader.Duration() : TimeSpan.Zero;

    private static CapacityRef ParseCapacity(TokenReader reader)
    {
        if (reader.TryKeyword("limit") || reader.TryKeyword("capacity"))
        {
            return CapacityRef.Known;
        }

        var (value, percent) = reader.Number(allowPercent: false, expected: "a capacity (a number, 'limit' or 'capacity')");
        if (percent || value <= 0)
        {
            reader.Fail("a positive capacity", value.ToString(CultureInfo.InvariantCulture));
        }

        return new CapacityRef(value);
    }

    private static SeriesSelector ParseSelector(TokenReader reader)
    {
        var metric = reader.Metric();
        var labels = new List<KeyValuePair<string, string>>();
        if (reader.TrySymbol("{"))
        {
            do
            {
                var name = reader.Word("a label name");
                reader.Symbol("=");
                labels.Add(new(name, reader.Value()));
            }
            while (reader.TrySymbol(","));

            reader.Symbol("}");
        }

        return new SeriesSelector(metric, labels);
    }
}

/// <summary>A rule that could not be parsed: says what was expected and where.</summary>
public sealed class AlertRuleException : UsageException
{
    public AlertRuleException(string message) : base(message) { }

    public AlertRuleException() : base("Invalid alert rule.") { }

    public AlertRuleException(string message, Exception innerException) : base(message, innerException) { }
}
