using System.Text.RegularExpressions;
using Npgsql;

namespace LeakHound.Sources.Postgres;

/// <summary>
/// Connection strings as users give them (Npgsql's <c>Host=…;Username=…</c> or a <c>postgresql://</c> URI), made
/// safe for LeakHound's use (read-only, short timeouts, a small pool, recognisable as <c>leakhound</c>),
/// and masked wherever they could reach a message: the password is never printed.
/// </summary>
public static partial class ConnectionStrings
{
    /// <summary>The application_name LeakHound connects with, so a DBA sees who is asking.</summary>
    public const string ApplicationName = "leakhound";

    public const string Masked = "***";

    /// <summary>A round must not hang on a stuck server: it is a census, not a workload.</summary>
    private const int CommandTimeoutSeconds = 5;
    private const int ConnectTimeoutSeconds = 5;

    /// <summary>Parses the user's text; malformed text is a usage error whose message never holds the password.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new UsageException("The PostgreSQL connection string is empty: give one such as \"Host=db;Username=me;Database=app\".");
        }

        try
        {
            return text.Contains("://", StringComparison.Ordinal) ? FromUri(text) : new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new UsageException($"'{Mask(text, text)}' is not a valid PostgreSQL connection string: {Mask(Explain(e), text)}");
        }
    }

    /// <summary>Npgsql says "Couldn't set port (Parameter 'port')" for a bad value and an unknown key alike: tell them apart.</summary>
    private static string Explain(Exception e) =>
        e is ArgumentException { ParamName: { } key } && e.Message.StartsWith("Couldn't set", StringComparison.Ordinal)
            ? new NpgsqlConnectionStringBuilder().ContainsKey(key)
                ? $"the value of {key} is not valid" + (e.InnerException is { } inner ? $" ({inner.Message})" : "")
                : $"{key} is not a setting Npgsql knows (Host, Port, Username, Password, Database, …)"
            : e.Message;

    /// <summary>The user's settings with LeakHound's own on top: what every census and suspects query connects with.</summary>
    public static NpgsqlConnectionStringBuilder ForLeakHound(string text)
    {
        var builder = Parse(text);
        builder.ApplicationName = ApplicationName;
        builder.CommandTimeout = CommandTimeoutSeconds;
        if (builder.Timeout == new NpgsqlConnectionStringBuilder().Timeout)
        {
            builder.Timeout = ConnectTimeoutSeconds;
        }

        // Every transaction read-only and every statement bounded, enforced by the server itself,
        // so no query of ours can write or hold a lock for long whatever it is.
        var options = $"-c default_transaction_read_only=on -c statement_timeout={CommandTimeoutSeconds * 1000}";
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? options : builder.Options + " " + options;
        builder.Pooling = true;
        builder.MinPoolSize = 0;
        builder.MaxPoolSize = 2;
        builder.Enlist = false;
        return builder;
    }

    /// <summary>Opens the one pooled data source a source or a command uses for all its queries.</summary>
    public static NpgsqlDataSource OpenDataSource(string text) => NpgsqlDataSource.Create(ForLeakHound(text));

    /// <summary>user@host:port/database, for messages: never the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        var user = string.IsNullOrEmpty(builder.Username) ? Environment.UserName : builder.Username;
        var host = string.IsNullOrEmpty(builder.Host) ? "localhost" : builder.Host;
        var database = string.IsNullOrEmpty(builder.Database) ? user : builder.Database;
        return $"{user}@{host}:{builder.Port}/{database}";
    }

    /// <summary>
    /// Masks the password of <paramref name="connectionString"/> in <paramref name="text"/>, and any
    /// <c>password=…</c> or <c>user:password@</c> that looks like one, for text that may echo a connection string
    /// (our own messages, Npgsql's exceptions). Passwords shorter than three characters are masked only where they
    /// appear as a password, since masking every "a" would make the message unreadable.
    /// </summary>
    public static string Mask(string text, string? connectionString)
    {
        var masked = PasswordSetting().Replace(text, m => m.Groups["key"].Value + Masked);
        masked = UriPassword().Replace(masked, m => m.Groups["user"].Value + ":" + Masked + "@");
        foreach (var secret in Secrets(connectionString))
        {
            if (secret.Length >= 3)
            {
                masked = masked.Replace(secret, Masked, StringComparison.Ordinal);
            }
        }

        return masked;
    }

    /// <summary>The password as written and as decoded (a URI escapes it), so both forms are masked.</summary>
    private static IEnumerable<string> Secrets(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            yield break;
        }

        string? password = null;
        try
        {
            password = connectionString.Contains("://", StringComparison.Ordinal)
                ? FromUri(connectionString).Password
                : new NpgsqlConnectionStringBuilder(connectionString).Password;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or InvalidOperationException or KeyNotFoundException)
        {
            // Unparsable: the password as the patterns find it, so an error that quotes it elsewhere still masks it.
            password = PasswordSetting().Match(connectionString) is { Success: true } setting ? setting.Groups["value"].Value
                : UriPassword().Match(connectionString) is { Success: true } uri ? uri.Groups["value"].Value
                : null;
        }

        if (!string.IsNullOrEmpty(password))
        {
            yield return password;
            var escaped = Uri.EscapeDataString(password);
            if (escaped != password)
            {
                yield return escaped;
            }
        }
    }

    /// <summary><c>postgresql://user:password@host:port/database?sslmode=require</c>, as libpq and psql accept it.</summary>
    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        var uri = new Uri(text);
        if (uri.Scheme is not ("postgresql" or "postgres"))
        {
            throw new FormatException($"the scheme must be postgresql://, not {uri.Scheme}://");
        }

        var builder = new NpgsqlConnectionStringBuilder();
        if (!string.IsNullOrEmpty(uri.Host))
        {
            builder.Host = uri.Host.Trim('[', ']');
        }

        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        var userInfo = uri.UserInfo;
        if (userInfo.Length > 0)
        {
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            switch (key)
            {
                case "sslmode":
                    builder["SSL Mode"] = value;
                    break;
                case "connect_timeout":
                    builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "application_name":
                    break;
                default:
                    builder[key] = value;
                    break;
            }
        }

        return builder;
    }

    // password=secret; Password = 'se;cret'; pwd="x" — up to the next ';' or the closing quote.
    [GeneratedRegex("""(?<key>\b(?:password|pwd)\s*=\s*)(?:'(?<value>(?:[^']|'')*)'|"(?<value>(?:[^"]|"")*)"|(?<value>[^;\s]*))""", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordSetting();

    [GeneratedRegex(@"(?<user>://[^:/@\s]*):(?<value>[^@\s]*)@")]
    private static partial Regex UriPassword();
}
