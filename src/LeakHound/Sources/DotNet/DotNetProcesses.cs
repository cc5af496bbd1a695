using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace LeakHound.Sources.DotNet;

/// <summary>A .NET process cannot be read over EventPipe: the message says why in one line.</summary>
public sealed class DotNetAttachException : LeakHoundException
{
    public DotNetAttachException(string message) : base(message) { }

    public DotNetAttachException(string message, Exception innerException) : base(message, innerException) { }

    public DotNetAttachException() : base("The .NET process cannot be attached to.") { }
}

/// <summary>
/// Which processes are .NET and attachable, and why one is not. A .NET runtime (3.0+) with diagnostics enabled
/// listens on a Unix socket <c>$TMPDIR/dotnet-diagnostic-PID-DISAMBIGUATION-socket</c>, owned by its user and
/// mode 0600: that socket is what <c>dotnet-counters</c> and LeakHound connect to.
/// </summary>
public static partial class DotNetProcesses
{
    /// <summary>Where the runtime puts its socket: its own TMPDIR, /tmp by default. We look where the client library does.</summary>
    public static string SocketDirectory => Path.GetTempPath();

    /// <summary>The PIDs that have a diagnostics socket now: one directory listing for the whole machine (for <c>ps</c>).</summary>
    public static HashSet<int> WithDiagnosticsSocket()
    {
        var pids = new HashSet<int>();
        try
        {
            foreach (var path in Directory.EnumerateFiles(SocketDirectory, "dotnet-diagnostic-*-socket"))
            {
                var match = SocketName().Match(Path.GetFileName(path));
                if (match.Success && int.TryParse(match.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && IsLive(pid, match.Groups["key"].Value))
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return pids;
    }

    /// <summary>The diagnostics socket of one process, or null.</summary>
    public static string? SocketOf(int pid)
    {
        try
        {
            return Directory.EnumerateFiles(SocketDirectory, $"dotnet-diagnostic-{pid.ToString(CultureInfo.InvariantCulture)}-*-socket")
                .FirstOrDefault(path => SocketName().Match(Path.GetFileName(path)) is { Success: true } match && IsLive(pid, match.Groups["key"].Value));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Throws a <see cref="DotNetAttachException"/> (or <see cref="Process.ProcessGoneException"/>) saying in one line
    /// why <paramref name="pid"/> cannot be read over EventPipe; returns its socket when it can.
    /// </summary>
    public static string CheckAttachable(int pid)
    {
        var name = NameOf(pid) ?? throw new Process.ProcessGoneException(pid);
        var who = $"PID {pid} ({name})";
        var socket = SocketOf(pid);
        if (socket is null)
        {
            var environment = Environment(pid);
            if (environment is not null && DiagnosticsDisabled(environment) is { } setting)
            {
                throw new DotNetAttachException(
                    $"{who} is a .NET process with diagnostics disabled ({setting}): it cannot be attached to; restart it without that setting. Its sockets can still be counted with --pid.");
            }

            if (RuntimeVersion(pid) is { } runtime)
            {
                throw new DotNetAttachException(
                    $"{who} runs .NET {runtime} but has no diagnostics socket in {SocketDirectory} (diagnostics disabled, or another TMPDIR): it cannot be attached to. Its sockets can still be counted with --pid.");
            }

            throw new DotNetAttachException(
                $"{who} is not a .NET process: it has no diagnostics socket ({Path.Combine(SocketDirectory, $"dotnet-diagnostic-{pid}-*-socket")}). --dotnet reads .NET connection pools; --pid counts any process's sockets.");
        }

        var owner = OwnerOf(socket);
        var me = GetEuid();
        if (owner is { } uid && me != 0 && uid != me)
        {
            throw new DotNetAttachException(
                $"{who} runs as {UserName(uid)}, and its diagnostics socket admits only that user: run leakhound as {UserName(uid)} (or as root) to read its pools.");
        }

        return socket;
    }

    /// <summary>The .NET runtime version a process has loaded (from the path of libcoreclr.so in its maps), or null.</summary>
    public static string? RuntimeVersion(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
            {
                if (line.EndsWith("/libcoreclr.so", StringComparison.Ordinal))
                {
                    var match = RuntimeDirectory().Match(line);
                    return match.Success ? match.Groups["version"].Value : "(version unknown)";
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>The major version of a runtime version string, or null.</summary>
    public static int? Major(string? version) =>
        version is not null && int.TryParse(version.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;

    internal static string? NameOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Directory.Exists($"/proc/{pid}") ? "?" : null;
        }
    }

    internal static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}");

    private static string? DiagnosticsDisabled(string environment)
    {
        foreach (var entry in environment.Split('\0'))
        {
            foreach (var prefix in new[] { "DOTNET_EnableDiagnostics", "COMPlus_EnableDiagnostics", "DOTNET_EnableDiagnostics_IPC" })
            {
                if (entry == prefix + "=0")
                {
                    return entry;
                }
            }
        }

        return null;
    }

    private static string? Environment(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The owner of a file (statx's stx_uid), or null when it cannot be read.</summary>
    private static uint? OwnerOf(string path)
    {
        var buffer = new byte[256];
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        unsafe
        {
            fixed (byte* b = buffer)
            fixed (byte* p = bytes)
            {
                // statx(AT_FDCWD, path, 0, STATX_UID): stx_uid is at offset 20.
                if (Process.Linux.LibC.Statx(-100, p, 0, 0x0008, b) != 0)
                {
                    return null;
                }
            }
        }

        return BitConverter.ToUInt32(buffer, 20);
    }

    private static string UserName(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && fields[2] == uid.ToString(CultureInfo.InvariantCulture))
                {
                    return $"user {fields[0]}";
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return $"uid {uid}";
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    /// <summary>
    /// Whether a socket's key is this process's start time (clock ticks since boot, as the runtime names it). A process
    /// killed with SIGKILL leaves its socket behind; a later process with the same PID must not look attachable by it.
    /// </summary>
    private static bool IsLive(int pid, string key)
    {
        try
        {
            return Process.Linux.ProcStat.ParseStartTicks(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat")) is { } ticks
                && key == ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^dotnet-diagnostic-(?<pid>\d+)-(?<key>\d+)-socket$")]
    private static partial Regex SocketName();

    [GeneratedRegex(@"/Microsoft\.NETCore\.App/(?<version>[0-9][^/]*)/libcoreclr\.so$")]
    private static partial Regex RuntimeDirectory();
}
