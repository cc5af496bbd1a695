using LeakHound.Recording;
using LeakHound.Samples;
using Npgsql;

namespace LeakHound.Sources.Postgres;

/// <summary>
/// The pg_stat_activity census as a sample source. A server that goes away (down, restarting, full) never ends
/// the watch: the outage is recorded once as a gap, its return as a note, and the other sources go on meanwhile.
/// </summary>
public sealed class PostgresSource : ISampleSource, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly NpgsqlConnectionStringBuilder _builder;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeSpan _idleThreshold;
    private HashSet<SeriesKey> _labelled = [];
    private bool _unreachable;
    private bool _privilegeNoted;
    private DateTimeOffset? _serverStarted;

    public PostgresSource(string connectionString, TimeSpan idleThreshold)
    {
        _connectionString = connectionString;
        _builder = ConnectionStrings.ForLeakHound(connectionString);
        _dataSource = NpgsqlDataSource.Create(_builder);
        _idleThreshold = idleThreshold;
    }

    /// <summary>user@host:port/database: never the password.</summary>
    public string Name => "PostgreSQL " + ConnectionStrings.Describe(_builder);

    /// <summary>
    /// Asks the server once before the watch starts, so a wrong password or an unreachable server is one clear
    /// line before anything is recorded.
    /// </summary>
    public async Task<PgServerInfo> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var snapshot = await PgActivityQuery.ReadAsync(_dataSource, withQueries: false, cancellationToken).ConfigureAwait(false);
            _serverStarted = snapshot.Server.StartedAt;
            return snapshot.Server;
        }
        catch (Exception e) when (PgErrors.IsUnavailable(e))
        {
            throw PgErrors.CannotConnect(e, _connectionString, _builder);
        }
    }

    public async ValueTask CollectAsync(RoundBuilder round, CancellationToken cancellationToken)
    {
        PgSnapshot snapshot;
        try
        {
            snapshot = await PgActivityQuery.ReadAsync(_dataSource, withQueries: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PgErrors.IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
        {
            if (!_unreachable)
            {
                // Once per outage: a server down for an hour must not write an event every round.
                round.Report(EventKind.Gap, $"postgres unreachable: {PgErrors.Reason(e, _connectionString)}");
                _unreachable = true;
            }

            return;
        }

        var restarted = _serverStarted is { } before && before != snapshot.Server.StartedAt;
        if (_unreachable || restarted)
        {
            // A note, not a restart event: restart events belong to the watched process.
            round.Report(
                EventKind.Note,
                restarted ? $"postgres is back; the server restarted at {snapshot.Server.StartedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}" : "postgres is back");
            _unreachable = false;
        }

        _serverStarted = snapshot.Server.StartedAt;
        if (!_privilegeNoted && !snapshot.Server.SeesAllSessions)
        {
            _privilegeNoted = true;
            round.Report(EventKind.Note, PgSuspects.PrivilegeNote(snapshot));
        }

        AddWithVanishedSeries(round, PgCensus.ToSamples(snapshot, _idleThreshold));
    }

    /// <summary>A per-application series that disappears (its connections all closed) gets one last zero, as a vanished peer does.</summary>
    private void AddWithVanishedSeries(RoundBuilder round, List<Sample> samples)
    {
        var labelled = new HashSet<SeriesKey>();
        foreach (var sample in samples)
        {
            round.Add(sample);
            if (sample.Key.Label(MetricNames.ApplicationLabel) is not null)
            {
                labelled.Add(sample.Key);
            }
        }

        foreach (var gone in _labelled.Where(k => !labelled.Contains(k)))
        {
            round.Add(new Sample(gone, 0));
        }

        _labelled = labelled;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
