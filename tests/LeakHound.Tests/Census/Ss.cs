using System.Diagnostics;
using LeakHound.Samples;

namespace LeakHound.Tests.Census;

/// <summary>Runs iproute2's ss and keeps the lines of one process: the reference the census must match.</summary>
internal static class Ss
{
    public static IReadOnlyList<string[]> Lines(int pid, params string[] options)
    {
        var start = new ProcessStartInfo("ss") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var option in options)
        {
            start.ArgumentList.Add(option);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        var marker = $"pid={pid},";
        return output.Split('\n')
            .Where(line => line.Contains(marker, StringComparison.Ordinal))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
    }

    /// <summary>ss -tanpH: TCP sockets per state and per (peer, state) for non-listening ones.</summary>
    public static (Dictionary<TcpState, int> ByState, Dictionary<(string Peer, TcpState State), int> ByPeer) Tcp(int pid)
    {
        var byState = new Dictionary<TcpState, int>();
        var byPeer = new Dictionary<(string, TcpState), int>();
        foreach (var columns in Lines(pid, "-tanpH"))
        {
            var state = State(columns[0]);
            byState[state] = byState.GetValueOrDefault(state) + 1;
            if (state != TcpState.Listen)
            {
                var key = (columns[4], state);
                byPeer[key] = byPeer.GetValueOrDefault(key) + 1;
            }
        }

        return (byState, byPeer);
    }

    private static TcpState State(string name) => name switch
    {
        "ESTAB" => TcpState.Established,
        "SYN-SENT" => TcpState.SynSent,
        "SYN-RECV" => TcpState.SynRecv,
        "FIN-WAIT-1" => TcpState.FinWait1,
        "FIN-WAIT-2" => TcpState.FinWait2,
        "TIME-WAIT" => TcpState.TimeWait,
        "UNCONN" => TcpState.Close,
        "CLOSE-WAIT" => TcpState.CloseWait,
        "LAST-ACK" => TcpState.LastAck,
        "LISTEN" => TcpState.Listen,
        "CLOSING" => TcpState.Closing,
        _ => throw new InvalidOperationException($"ss printed an unknown TCP state '{name}'"),
    };
}
