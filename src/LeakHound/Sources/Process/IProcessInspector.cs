namespace LeakHound.Sources.Process;

/// <summary>
/// What LeakHound needs from the operating system about processes. Linux reads /proc and netlink;
/// another OS is one more implementation.
/// </summary>
public interface IProcessInspector
{
    /// <summary>
    /// Counts the sockets and resources of one process.
    /// Throws <see cref="ProcessGoneException"/> when it does not exist (or exited during the census) and
    /// <see cref="LeakHoundException"/> naming the permission needed when it may not be inspected.
    /// </summary>
    ProcessCensus Take(int pid);

    /// <summary>Processes whose name or command line contains <paramref name="text"/>, excluding the caller.</summary>
    IReadOnlyList<ProcessIdentity> Find(string text);

    /// <summary>The identity of one process, or null when it does not exist.</summary>
    ProcessIdentity? Identify(int pid);

    /// <summary>Every process the caller may inspect, with socket and fd counts (for <c>leakhound ps</c>).</summary>
    IReadOnlyList<ProcessOverview> Overview() => Overview(out _);

    /// <summary>As <see cref="Overview()"/>; <paramref name="notPermitted"/> counts the processes the caller may not inspect.</summary>
    IReadOnlyList<ProcessOverview> Overview(out int notPermitted);

    /// <summary>Set after a census had to fall back from netlink to /proc; the reason, said once.</summary>
    string? FallbackReason { get; }
}

/// <summary>The process does not exist, or exited while it was being observed.</summary>
public sealed class ProcessGoneException : LeakHoundException
{
    public ProcessGoneException(int pid) : base($"No process with PID {pid} exists (it may have exited).") => Pid = pid;

    public ProcessGoneException(int pid, Exception innerException)
        : base($"No process with PID {pid} exists (it may have exited).", innerException) => Pid = pid;

    public ProcessGoneException() : base("The process does not exist.") { }

    public ProcessGoneException(string message) : base(message) { }

    public ProcessGoneException(string message, Exception innerException) : base(message, innerException) { }

    public int Pid { get; }
}

/// <summary>The caller may not inspect the process (another user's, without root or the capabilities).</summary>
public sealed class PermissionDeniedException : LeakHoundException
{
    public PermissionDeniedException(string message, Exception? innerException)
        : base(message, 1, innerException)
    {
    }

    public PermissionDeniedException() : base("Permission denied.") { }

    public PermissionDeniedException(string message) : base(message) { }
}
