using LeakHound.Alerting;

namespace LeakHound.Tests.Alerting;

public sealed class AlertRuleParserTests
{
    [Fact]
    public void Threshold()
    {
        var rule = Assert.IsType<AlertRule.Threshold>(AlertRuleParser.Parse("process.tcp.connections{state=close_wait} > 500"));
        Assert.Equal("process.tcp.connections", rule.Selector.Metric);
        Assert.Equal("close_wait", Assert.Single(rule.Selector.Labels).Value);
        Assert.Equal(Comparison.Above, rule.Comparison);
        Assert.Equal(500, rule.Value);
        Assert.Null(rule.Percent);
        Assert.Equal(TimeSpan.Zero, rule.For);
    }

    [Fact]
    public void Share_of_a_number_and_of_the_limit_with_for()
    {
        var pool = Assert.IsType<AlertRule.Threshold>(AlertRuleParser.Parse("process.tcp.connections{state=established} > 75% of 1024"));
        Assert.Equal(75, pool.Percent);
        Assert.Equal(1024, pool.Of.Value);

        var fds = Assert.IsType<AlertRule.Threshold>(AlertRuleParser.Parse("process.fds >= 90% of limit for 2m"));
        Assert.True(fds.Of.IsKnown);
        Assert.Equal(Comparison.AtLeast, fds.Comparison);
        Assert.Equal(TimeSpan.FromMinutes(2), fds.For);
    }

    [Fact]
    public void Exhaustion_leaking_and_source_down()
    {
        var exhaustion = Assert.IsType<AlertRule.Exhaustion>(AlertRuleParser.Parse("process.tcp.connections exhausts 1024 within 2h"));
        Assert.Equal(1024, exhaustion.Capacity.Value);
        Assert.Equal(TimeSpan.FromHours(2), exhaustion.Within);

        var leaking = Assert.IsType<AlertRule.Leaking>(AlertRuleParser.Parse("leaking process.tcp.connections{state=close_wait} for 10m"));
        Assert.Equal(TimeSpan.FromMinutes(10), leaking.For);

        var down = Assert.IsType<AlertRule.SourceDown>(AlertRuleParser.Parse("source down for 1m"));
        Assert.Equal(TimeSpan.FromMinutes(1), down.For);
    }

    [Fact]
    public void Quoted_label_values_keep_their_symbols()
    {
        var rule = Assert.IsType<AlertRule.Threshold>(AlertRuleParser.Parse("process.tcp.peer.connections{peer=\"[::1]:5432\",state=close_wait} > 10"));
        Assert.Equal("[::1]:5432", rule.Selector.Labels[0].Value);
    }

    [Theory]
    [InlineData("process.fds >", "expected a number at column 14, found the end of the rule")]
    [InlineData("process.fds > 90% limit", "expected 'of' at column 19, found 'limit'")]
    [InlineData("process.fds = 3", "expected '>', '>=', '<', '<=' or 'exhausts' at column 13, found '='")]
    [InlineData("leaking process.fds", "expected 'for' at column 20, found the end of the rule")]
    [InlineData("process.tcp.connections exhausts 1024 within soon", "expected a duration such as 30s, 10m or 2h at column 46, found soon")]
    [InlineData("process.fds > 10 for 5m extra", "expected the end of the rule at column 25, found 'extra'")]
    [InlineData("source up for 1m", "expected 'down' at column 8, found 'up'")]
    [InlineData("process.fds{state close_wait} > 1", "expected '=' at column 19, found 'close_wait'")]
    public void Bad_rules_say_what_was_expected_and_where(string text, string message)
    {
        var error = Assert.Throws<AlertRuleException>(() => AlertRuleParser.Parse(text));
        Assert.Contains(message, error.Message);
        Assert.Equal(2, error.ExitCode);
    }

    [Fact]
    public void Random_text_never_crashes_the_parser()
    {
        var random = new Random(20261123);
        const string alphabet = "abc.{}=,\"%<>= 0123456789 leaking exhausts within for of limit source down ms h";
        for (var i = 0; i < 5000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = alphabet[random.Next(alphabet.Length)];
            }

            try
            {
                AlertRuleParser.Parse(new string(chars));
            }
            catch (AlertRuleException)
            {
                // The only way a bad rule may fail.
            }
        }
    }
}
