namespace LeakHound.Sources.Process.Linux;

/// <summary>Network namespaces: netlink dumps only the caller's, so a process elsewhere needs /proc/PID/net.</summary>
internal static class NetNamespace
{
    private static readonly Lazy<string?> Own = new(() => Of(Environment.ProcessId));

    /// <summary>"net:[4026531833]", or null when it cannot be read.</summary>
    public static string? Of(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when the process is known to be in another namespace; unknown counts as ours.</summary>
    public static bool IsForeign(int pid) => Of(pid) is { } theirs && Own.Value is { } ours && theirs != ours;

    public static string? OwnNamespace => Own.Value;
}
