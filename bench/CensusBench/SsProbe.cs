using System.Globalization;
using LeakHound.Samples;

namespace CensusBench;

/// <summary><c>ss -tanpH</c>, filtered to the PID here ("pid=PID," in the users column).</summary>
internal sealed class SsProbe : IProbe
{
    public string Name => "`ss -tanpH` filtered to PID";

    public int CountTcp(int pid) => Lines(pid).Count();

    /// <summary>The PID's TCP sockets per state, as ss sees them (for the exactness check).</summary>
    public static IReadOnlyDictionary<TcpState, int> ByState(int pid) =>
        Lines(pid)
            .Select(line => line.Split(' ', 2)[0])
            .GroupBy(state => TcpStates.TryParseLabel(state.Replace('-', '_'), out var s) ? s : Fallback(state))
            .ToDictionary(g => g.Key, g => g.Count());

    private static IEnumerable<string> Lines(int pid)
    {
        var marker = $"pid={pid.ToString(CultureInfo.InvariantCulture)},";
        return Command.Run("ss", "-tanpH")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.Contains(marker, StringComparison.Ordinal));
    }

    /// <summary>ss spells a few states differently from the kernel's names.</summary>
    private static TcpState Fallback(string state) => state switch
    {
        "ESTAB" => TcpState.Established,
        "UNCONN" => TcpState.Close,
        "SYN-RECV" => TcpState.SynRecv,
        "LISTEN" => TcpState.Listen,
        "FIN-WAIT-1" => TcpState.FinWait1,
        "FIN-WAIT-2" => TcpState.FinWait2,
        _ => TcpState.Close,
    };
}
