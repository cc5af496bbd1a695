namespace LeakHound;

/// <summary>
/// A problem the user can act on (bad input, missing permission, a process that is gone).
/// The CLI prints its message as one line and exits with <see cref="ExitCode"/>; never a stack trace.
/// </summary>
public class LeakHoundException : Exception
{
    public LeakHoundException(string message, int exitCode = 1, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    public LeakHoundException() : this("LeakHound failed.") { }

    public LeakHoundException(string message) : this(message, 1) { }

    public LeakHoundException(string message, Exception innerException) : this(message, 1, innerException) { }

    /// <summary>1 for a failure at run time, 2 for a usage error.</summary>
    public int ExitCode { get; }
}

/// <summary>The user asked for something malformed (exit code 2).</summary>
public class UsageException : LeakHoundException
{
    public UsageException(string message) : base(message, 2) { }

    public UsageException() : this("Invalid usage.") { }

    public UsageException(string message, Exception innerException) : base(message, 2, innerException) { }
}
