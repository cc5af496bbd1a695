using LeakHound.Samples;

namespace LeakHound.Tests;

public sealed class SeriesKeyTests
{
    [Fact]
    public void Labels_are_sorted_and_text_round_trips()
    {
        var key = SeriesKey.Of("process.tcp.peer.connections", ("state", "close_wait"), ("peer", "[::1]:80"));
        Assert.Equal("process.tcp.peer.connections{peer=\"[::1]:80\",state=\"close_wait\"}", key.ToString());
        Assert.Equal(key, SeriesKey.Parse(key.ToString()));
        Assert.Equal("close_wait", key.Label("state"));
    }

    [Fact]
    public void Quotes_in_values_survive_the_round_trip()
    {
        var key = SeriesKey.Of("m", ("app", "a\"b\\c,d}"));
        Assert.Equal(key, SeriesKey.Parse(key.ToString()));
    }

    [Theory]
    [InlineData("bad metric")]
    [InlineData("m{a=\"x\"")]
    [InlineData("m{a=x}")]
    public void Refuses_malformed_keys(string text) => Assert.False(SeriesKey.TryParse(text, out _, out _));
}
