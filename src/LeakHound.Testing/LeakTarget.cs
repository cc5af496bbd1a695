namespace LeakHound.Testing;

/// <summary>What kind of connection a count is about.</summary>
public enum LeakKind
{
    /// <summary>An HttpClient connection (SocketsHttpHandler) in the "active" state: a request or an unread response on it.</summary>
    Http,

    /// <summary>A connection taken from an Npgsql pool and not returned ("used").</summary>
    NpgsqlPool,

    /// <summary>A connection taken from a MySqlConnector pool and not returned ("used").</summary>
    MySqlPool,

    /// <summary>One of this process's own TCP sockets (ESTABLISHED or CLOSE_WAIT), from LeakHound's census.</summary>
    Socket,
}

/// <summary>Where connections go: a server ("127.0.0.1:8080"), a pool name, or a socket peer.</summary>
public sealed record LeakTarget(LeakKind Kind, string Name)
{
    /// <summary>"HTTP connection to 127.0.0.1:8080", "Npgsql connection from pool 'orders'".</summary>
    public string Describe(long count)
    {
        var s = count == 1 ? "" : "s";
        return Kind switch
        {
            LeakKind.Http => $"HTTP connection{s} to {Name}",
            LeakKind.NpgsqlPool => $"Npgsql connection{s} from pool '{Name}'",
            LeakKind.MySqlPool => $"MySqlConnector connection{s} from pool '{Name}'",
            _ => $"TCP socket{s} (established or close_wait) to {Name}",
        };
    }

    public override string ToString() => $"{Kind} {Name}";
}

/// <summary>Busy connections per target at one moment.</summary>
public sealed class ConnectionSnapshot
{
    internal ConnectionSnapshot(IReadOnlyDictionary<LeakTarget, long> busy, DateTimeOffset at)
    {
        Busy = busy;
        At = at;
    }

    /// <summary>Active HTTP connections, used pool connections and ESTABLISHED/CLOSE_WAIT sockets, per target.</summary>
    public IReadOnlyDictionary<LeakTarget, long> Busy { get; }

    public DateTimeOffset At { get; }

    public long this[LeakTarget target] => Busy.GetValueOrDefault(target);

    /// <summary>Busy connections of one kind, summed over its targets.</summary>
    public long Total(LeakKind kind) => Busy.Where(kv => kv.Key.Kind == kind).Sum(kv => kv.Value);
}
