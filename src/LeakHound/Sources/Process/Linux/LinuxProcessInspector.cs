namespace LeakHound.Sources.Process.Linux;

// STUB: replaced by the census work (netlink sock_diag + /proc).
internal sealed class LinuxProcessInspector : IProcessInspector
{
    public string? FallbackReason => null;

    public ProcessCensus Take(int pid) => throw new NotImplementedException();

    public IReadOnlyList<ProcessIdentity> Find(string text) => throw new NotImplementedException();

    public ProcessIdentity? Identify(int pid) => throw new NotImplementedException();

    public IReadOnlyList<ProcessOverview> Overview() => throw new NotImplementedException();
}
