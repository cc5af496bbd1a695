namespace LeakHound.Samples;

/// <summary>The metric names LeakHound records. Shared by every source, store and view.</summary>
public static class MetricNames
{
    public const string TcpConnections = "process.tcp.connections";
    public const string TcpPeerConnections = "process.tcp.peer.connections";

    /// <summary>
    /// Connections to a port the process listens on, per client address (any client port), local port and state: a
    /// server's breakdown, where per-peer series would be one per ephemeral client port.
    /// </summary>
    public const string TcpInboundConnections = "process.tcp.inbound.connections";
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

    /// <summary>Prefix of every series read from a .NET process over EventPipe (<c>watch --dotnet</c>).</summary>
    public const string DotNetPrefix = "dotnet.";
    /// <summary>HttpClient connections per server (address:port) and state (active, idle), from <c>http.client.open_connections</c>.</summary>
    public const string DotNetHttpConnections = "dotnet.http.connections";
    /// <summary>Time requests waited for a connection, per server: the 95th percentile over the last interval, in seconds.</summary>
    public const string DotNetHttpQueueSeconds = "dotnet.http.queue_seconds";
    /// <summary>Database pool connections per provider (npgsql, mysqlconnector, sqlclient), pool and state (used, idle).</summary>
    public const string DotNetDbConnections = "dotnet.db.connections";
    /// <summary>A pool's maximum size: the capacity of its <c>used</c> connections.</summary>
    public const string DotNetDbMaxConnections = "dotnet.db.max_connections";
    /// <summary>Requests waiting for a pooled connection.</summary>
    public const string DotNetDbPendingRequests = "dotnet.db.pending_requests";
    /// <summary>Prefix of Microsoft.Data.SqlClient's EventCounters, e.g. <c>dotnet.sqlclient.number_of_reclaimed_connections</c>.</summary>
    public const string DotNetSqlClientPrefix = "dotnet.sqlclient.";

    /// <summary>Prefix of a user command's series: <c>command.&lt;name&gt;</c>.</summary>
    public const string CommandPrefix = "command.";

    public const string StateLabel = "state";
    public const string PeerLabel = "peer";
    public const string ClientLabel = "client";
    public const string PortLabel = "port";
    public const string ApplicationLabel = "application";
    public const string ServerLabel = "server";
    public const string ProviderLabel = "provider";
    public const string PoolLabel = "pool";

    /// <summary>
    /// Families broken down per peer, client or application: capped to the busiest entries (the rest summed as
    /// "other"), and their stable verdicts left out of lists, since the family's total speaks for them.
    /// </summary>
    public static bool IsBreakdown(string metric) => metric is TcpPeerConnections or TcpInboundConnections or PgAppConnections;

    /// <summary>The TCP breakdowns that a leaking state's verdict is attributed to (towards a peer, from a client).</summary>
    public static bool IsTcpBreakdown(string metric) => metric is TcpPeerConnections or TcpInboundConnections;
}
