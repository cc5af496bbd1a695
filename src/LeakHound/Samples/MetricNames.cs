namespace LeakHound.Samples;

/// <summary>The metric names LeakHound records. Shared by every source, store and view.</summary>
public static class MetricNames
{
    public const string TcpConnections = "process.tcp.connections";
    public const string TcpPeerConnections = "process.tcp.peer.connections";
    public const string UdpSockets = "process.udp.sockets";
    public const string UnixSockets = "process.unix.sockets";
    public const string Fds = "process.fds";
    public const string FdLimit = "process.fd_limit";
    public const string RssBytes = "process.rss_bytes";
    public const string Threads = "process.threads";

    /// <summary>Prefix of every PostgreSQL series.</summary>
    public const string PostgresPrefix = "postgres.";
    public const string PgConnections = "postgres.connections";
    public const string PgAppConnections = "postgres.app.connections";
    public const string PgMaxConnections = "postgres.max_connections";
    public const string PgReservedConnections = "postgres.reserved_connections";
    public const string PgOldestIdleSeconds = "postgres.oldest_idle_seconds";
    public const string PgOldestIdleInTransactionSeconds = "postgres.oldest_idle_in_transaction_seconds";
    public const string PgIdleLongerThanThreshold = "postgres.idle_longer_than_threshold";

    /// <summary>Prefix of a user command's series: <c>command.&lt;name&gt;</c>.</summary>
    public const string CommandPrefix = "command.";

    public const string StateLabel = "state";
    public const string PeerLabel = "peer";
    public const string ApplicationLabel = "application";
}
