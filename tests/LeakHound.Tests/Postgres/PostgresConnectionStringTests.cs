using LeakHound.Sources.Postgres;

namespace LeakHound.Tests.Postgres;

public sealed class PostgresConnectionStringTests
{
    private const string Secret = "s3cr3t-Zebra";

    [Theory]
    [InlineData("Host=db;Username=app;Password=s3cr3t-Zebra;Database=x")]
    [InlineData("Host=db;Password = 's3cr3t-Zebra';Database=x")]
    [InlineData("Host=db;PWD=\"s3cr3t-Zebra\"")]
    [InlineData("postgresql://app:s3cr3t-Zebra@db:5432/x")]
    public void Mask_hides_the_password_in_every_form(string connectionString)
    {
        var message = $"failed for {connectionString}; the server said: wrong password s3cr3t-Zebra";

        var masked = ConnectionStrings.Mask(message, connectionString);

        Assert.DoesNotContain(Secret, masked);
        Assert.Contains(ConnectionStrings.Masked, masked);
        Assert.Contains("db", masked);
    }

    [Theory]
    [InlineData("Host=db;Port=abc", "the value of port is not valid")]
    [InlineData("Host=db;Colour=blue", "colour is not a setting Npgsql knows")]
    [InlineData("Host=db;Password=s3cr3t-Zebra;Port=s3cr3t-Zebra", "the value of port is not valid")]
    [InlineData("postgresql://app:s3cr3t-Zebra@db:99999/s3cr3t-Zebra", "Invalid port")]
    public void A_bad_connection_string_is_one_masked_line_saying_what_is_wrong(string connectionString, string expected)
    {
        var error = Assert.Throws<UsageException>(() => ConnectionStrings.Parse(connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal); // even where it is not the password
        Assert.DoesNotContain("Parameter", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Mask_hides_a_uri_escaped_password()
    {
        const string cs = "postgresql://app:p%40ss%3Bword@db/x";

        var masked = ConnectionStrings.Mask("echo p@ss;word and p%40ss%3Bword", cs);

        Assert.DoesNotContain("p@ss;word", masked);
        Assert.DoesNotContain("p%40ss%3Bword", masked);
    }

    [Fact]
    public void A_uri_becomes_npgsql_settings()
    {
        var builder = ConnectionStrings.Parse("postgresql://app:pw%21@db.example:6543/orders?sslmode=disable");

        Assert.Equal("db.example", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("app", builder.Username);
        Assert.Equal("pw!", builder.Password);
        Assert.Equal("orders", builder.Database);
    }

    [Fact]
    public void LeakHound_connects_read_only_named_and_bounded()
    {
        var builder = ConnectionStrings.ForLeakHound("Host=db;Username=app;Application Name=pretender;Options=-c search_path=x");

        Assert.Equal("leakhound", builder.ApplicationName);
        Assert.Contains("-c search_path=x", builder.Options);
        Assert.Contains("default_transaction_read_only=on", builder.Options);
        Assert.Contains("statement_timeout=", builder.Options);
        Assert.True(builder.CommandTimeout <= 5);
        Assert.True(builder.MaxPoolSize <= 2);
        Assert.Equal("app@db:5432/app", ConnectionStrings.Describe(builder));
    }

    [Fact]
    public void A_malformed_string_is_a_usage_error_without_the_password()
    {
        var e = Assert.Throws<UsageException>(() => ConnectionStrings.Parse("Host=db;Password=s3cr3t-Zebra;Frobnicate=1"));

        Assert.DoesNotContain(Secret, e.Message);
        Assert.Contains("Frobnicate", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
