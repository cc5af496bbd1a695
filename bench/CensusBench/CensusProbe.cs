using LeakHound.Sources.Process;

namespace CensusBench;

/// <summary>One census round of the engine, in-process.</summary>
internal sealed class CensusProbe(IProcessInspector inspector) : IProbe
{
    public string Name => "LeakHound census (in-process)";

    public ProcessCensus? Last { get; private set; }

    public int CountTcp(int pid)
    {
        Last = inspector.Take(pid);
        return Last.TcpTotal;
    }
}
