using System.Data;
using System.Data.Common;
using System.Diagnostics;
using Npgsql;

namespace LeakHound.Testing;

/// <summary>
/// An <see cref="NpgsqlDataSource"/> that records the stack of each connection opened and not yet closed, so a
/// leaked pool connection's failure message names the line that opened it. Create it with
/// <see cref="TrackedNpgsqlDataSourceExtensions.WithLeakTracking"/>.
/// </summary>
public sealed class TrackedNpgsqlDataSource : DbDataSource
{
    private readonly NpgsqlDataSource _inner;
    private readonly string _poolName;

    internal TrackedNpgsqlDataSource(NpgsqlDataSource inner)
    {
        _inner = inner;
        // Npgsql names a pool after its data source's Name, or else its connection string (without the password).
        var builder = new NpgsqlConnectionStringBuilder(inner.ConnectionString);
        _poolName = builder.ApplicationName is { Length: > 0 } app ? app : inner.ConnectionString;
    }

    public NpgsqlDataSource Inner => _inner;

    public override string ConnectionString => _inner.ConnectionString;

    public new NpgsqlConnection CreateConnection() => _inner.CreateConnection();

    protected override DbConnection CreateDbConnection() => _inner.CreateConnection();

    public new NpgsqlConnection OpenConnection()
    {
        var stack = LeakTracking.Enabled ? new StackTrace(1, true) : null;
        var connection = _inner.OpenConnection();
        Track(connection, stack);
        return connection;
    }

    public new async ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        var stack = LeakTracking.Enabled ? new StackTrace(1, true) : null;
        var connection = await _inner.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        Track(connection, stack);
        return connection;
    }

    protected override DbConnection OpenDbConnection() => OpenConnection();

    protected override async ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken = default) =>
        await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private void Track(NpgsqlConnection connection, StackTrace? stack)
    {
        if (stack is null)
        {
            return;
        }

        var handle = LeakTracking.Record(LeakKind.NpgsqlPool, _poolName, stack, holder: connection);
        void OnStateChange(object? sender, StateChangeEventArgs e)
        {
            if (e.CurrentState == ConnectionState.Closed)
            {
                handle.Release();
                connection.StateChange -= OnStateChange;
            }
        }

        connection.StateChange += OnStateChange;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }
}

public static class TrackedNpgsqlDataSourceExtensions
{
    /// <summary>Wraps a data source so each connection opened and not closed is recorded with its stack.</summary>
    public static TrackedNpgsqlDataSource WithLeakTracking(this NpgsqlDataSource dataSource) => new(dataSource);
}
