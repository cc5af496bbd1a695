namespace LeakHound.Testing;

/// <summary>What a <see cref="ConnectionLeakGuard"/> watches and how long it waits for connections to come back.</summary>
public sealed record LeakGuardOptions
{
    public static LeakGuardOptions Default { get; } = new();

    /// <summary>HttpClient connections (SocketsHttpHandler's <c>http.client.open_connections</c>). On by default.</summary>
    public bool Http { get; init; } = true;

    /// <summary>Npgsql and MySqlConnector pools (used connections). On by default.</summary>
    public bool Pools { get; init; } = true;

    /// <summary>
    /// This process's own TCP sockets (ESTABLISHED and CLOSE_WAIT per peer), for clients that expose no metrics.
    /// Off by default: an in-process server's accepted sockets are this process's sockets too, and a census costs
    /// about a millisecond. Linux only.
    /// </summary>
    public bool Sockets { get; init; }

    /// <summary>How long to keep looking, with backoff, for connections being returned asynchronously before calling them leaked.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many more busy connections per target are tolerated after than before (0: none).</summary>
    public int Tolerance { get; init; }

    /// <summary>The test's name, for the failure message.</summary>
    public string? TestName { get; init; }
}
