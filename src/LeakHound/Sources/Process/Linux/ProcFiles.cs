namespace LeakHound.Sources.Process.Linux;

/// <summary>Reading small /proc/PID files, turning "no such file" into "the process is gone".</summary>
internal static class ProcFiles
{
    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>The whole file; <see cref="ProcessGoneException"/> when the process no longer exists.</summary>
    public static string ReadText(int pid, string name)
    {
        var path = $"/proc/{pid}/{name}";
        try
        {
            return File.ReadAllText(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw NotPermitted(pid, path, e);
        }
        catch (IOException e) when (!Exists(pid) || e is FileNotFoundException or DirectoryNotFoundException)
        {
            // A process that exits while we read its files fails reads with ENOENT or ESRCH.
            throw new ProcessGoneException(pid, e);
        }
    }

    /// <summary>The file, or null when it cannot be read for any reason.</summary>
    public static string? TryReadText(int pid, string name)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{name}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static PermissionDeniedException NotPermitted(int pid, string path, Exception? inner = null) =>
        new($"Not allowed to read {path}: inspecting another user's process (PID {pid}) needs running as that user or as root "
            + "(or with CAP_SYS_PTRACE / CAP_DAC_READ_SEARCH).", inner);
}
