namespace LeakHound.Sources.Process.Linux;

/// <summary>
/// The netlink socket dump was refused or its reply made no sense. Never reaches the user:
/// the inspector catches it and reads /proc/PID/net instead.
/// </summary>
internal sealed class SockDiagException : Exception
{
    public SockDiagException(string message, int errno = 0) : base(message) => Errno = errno;

    public SockDiagException() : this("netlink sock_diag failed") { }

    public SockDiagException(string message) : this(message, 0) { }

    public SockDiagException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The errno the kernel answered with; 0 for a malformed reply.</summary>
    public int Errno { get; }
}
