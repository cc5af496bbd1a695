namespace LeakHound.Samples;

/// <summary>TCP states with the kernel's numbering (include/net/tcp_states.h).</summary>
public enum TcpState : byte
{
    Established = 1,
    SynSent = 2,
    SynRecv = 3,
    FinWait1 = 4,
    FinWait2 = 5,
    TimeWait = 6,
    Close = 7,
    CloseWait = 8,
    LastAck = 9,
    Listen = 10,
    Closing = 11,
    NewSynRecv = 12,
}

public static class TcpStates
{
    /// <summary>Every state, in kernel order.</summary>
    public static IReadOnlyList<TcpState> All { get; } = Enum.GetValues<TcpState>();

    /// <summary>The label value used in series keys: lower case with underscores (<c>close_wait</c>).</summary>
    public static string Label(this TcpState state) => state switch
    {
        TcpState.Established => "established",
        TcpState.SynSent => "syn_sent",
        TcpState.SynRecv => "syn_recv",
        TcpState.FinWait1 => "fin_wait1",
        TcpState.FinWait2 => "fin_wait2",
        TcpState.TimeWait => "time_wait",
        TcpState.Close => "close",
        TcpState.CloseWait => "close_wait",
        TcpState.LastAck => "last_ack",
        TcpState.Listen => "listen",
        TcpState.Closing => "closing",
        TcpState.NewSynRecv => "new_syn_recv",
        _ => "unknown",
    };

    public static bool TryParseLabel(string label, out TcpState state)
    {
        foreach (var s in All)
        {
            if (string.Equals(s.Label(), label, StringComparison.OrdinalIgnoreCase))
            {
                state = s;
                return true;
            }
        }

        state = default;
        return false;
    }
}
