namespace LeakHound.Tests;

public sealed class DurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("0", 0)]
    [InlineData("1.5s", 1_500)]
    public void Parses_durations(string text, double ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), Duration.Parse(text));

    [Theory]
    [InlineData("5x")]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("5")]
    public void Refuses_bad_durations(string text)
    {
        var error = Assert.Throws<UsageException>(() => Duration.Parse(text, "interval"));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.ExitCode);
    }
}
