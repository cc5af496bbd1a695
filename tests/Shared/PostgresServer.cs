using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace LeakHound.TestSupport;

/// <summary>
/// A real PostgreSQL 15 of the tests' own: initdb into a temporary folder, started on a free loopback port with
/// pg_ctl (as the postgres OS user when running as root, since the server refuses to run as root), stopped and
/// removed afterwards. Shared by the PostgreSQL tests and the benchmark.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    /// <summary>A role that must give its password (scram-sha-256 over 127.0.0.1); the tests grep every output for it.</summary>
    public const string PasswordRole = "secretive";
    public const string Password = "Pw-d0-not-print-8c1f5e";

    /// <summary>A role without pg_read_all_stats: it sees only its own sessions' states and queries.</summary>
    public const string LowRole = "lowly";

    private static readonly bool IsRoot = Environment.UserName == "root";
    private readonly string _root;
    private readonly int _maxConnections;

    private PostgresServer(string root, int port, int maxConnections)
    {
        _root = root;
        Port = port;
        _maxConnections = maxConnections;
    }

    public int Port { get; }

    public string DataDirectory => Path.Combine(_root, "data");

    /// <summary>Npgsql connection string for a role (superuser postgres by default); no pooling unless asked.</summary>
    public string ConnectionString(string user = "postgres", string? password = null, string? application = null, bool pooling = false, string database = "postgres")
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = user,
            Database = database,
            Pooling = pooling,
            Timeout = 5,
        };
        if (password is not null)
        {
            builder.Password = password;
        }

        if (application is not null)
        {
            builder.ApplicationName = application;
        }

        return builder.ConnectionString;
    }

    public static async Task<PostgresServer> StartAsync(int maxConnections = 100)
    {
        var initdb = Path.Combine(BinDirectory, "initdb");
        if (!File.Exists(initdb))
        {
            throw new InvalidOperationException(
                $"PostgreSQL 15 is not installed ({initdb} is missing): the PostgreSQL tests start a server of their own. " +
                "Install it with: apt-get install postgresql-15 (./test.sh does it when run as root).");
        }

        var root = Path.Combine(Path.GetTempPath(), "leakhound-pg-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres:postgres", root], root, asPostgres: false);
        }

        var server = new PostgresServer(root, FreePort(), maxConnections);
        try
        {
            await RunAsync(initdb, ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"], root, asPostgres: true);
            // The password role must authenticate over TCP; everyone else is trusted on this private, loopback-only server.
            await server.WriteAsPostgresAsync("pg_hba.conf", $"""
                local all all trust
                host all {PasswordRole} 127.0.0.1/32 scram-sha-256
                host all all 127.0.0.1/32 trust
                """);
            await server.StartServerAsync();
            await server.ExecuteAsync(
                $"CREATE ROLE {PasswordRole} LOGIN PASSWORD '{Password}'",
                $"CREATE ROLE {LowRole} LOGIN");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task StartServerAsync() =>
        await RunAsync(
            Path.Combine(BinDirectory, "pg_ctl"),
            ["-D", DataDirectory, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
             "-o", $"-k {_root} -p {Port} -c listen_addresses=127.0.0.1 -c max_connections={_maxConnections} -c fsync=off -c track_activity_query_size=4096",
             "start"],
            _root,
            asPostgres: true);

    /// <summary>An abrupt stop, as a crash or a failover looks to clients.</summary>
    public async Task StopServerAsync() =>
        await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], _root, asPostgres: true);

    /// <summary>Runs statements as the superuser, each in its own implicit transaction.</summary>
    public async Task ExecuteAsync(params string[] statements)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Reads one number as the superuser (for comparing with pg_stat_activity directly).</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Opens connections as an application and leaves them idle after one query, as a leaking pool does.</summary>
    public async Task<IdleConnections> OpenIdleAsync(string application, int count, string query = "SELECT 1", string user = "postgres")
    {
        var held = new IdleConnections();
        for (var i = 0; i < count; i++)
        {
            var connection = new NpgsqlConnection(ConnectionString(user, application: application));
            held.Add(connection);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(query, connection);
            await command.ExecuteNonQueryAsync();
        }

        return held;
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await StopServerAsync();
            }
            catch (InvalidOperationException)
            {
                // Already stopped by a test: the folder is removed all the same.
            }
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task WriteAsPostgresAsync(string name, string text)
    {
        var path = Path.Combine(DataDirectory, name);
        await File.WriteAllTextAsync(path, text + "\n");
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres:postgres", path], _root, asPostgres: false);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, string[] args, string workingDirectory, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres && IsRoot ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        if (asPostgres && IsRoot)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}

/// <summary>Connections held open and idle until disposed.</summary>
public sealed class IdleConnections : IAsyncDisposable
{
    private readonly List<NpgsqlConnection> _connections = [];

    public int Count => _connections.Count;

    public IReadOnlyList<NpgsqlConnection> Connections => _connections;

    public void Add(NpgsqlConnection connection) => _connections.Add(connection);

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _connections)
        {
            await c.DisposeAsync();
        }

        _connections.Clear();
    }
}
