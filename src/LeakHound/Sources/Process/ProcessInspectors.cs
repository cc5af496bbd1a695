using LeakHound.Sources.Process.Linux;

namespace LeakHound.Sources.Process;

public static class ProcessInspectors
{
    /// <summary>The inspector for the operating system we run on; a clear error where none exists yet.</summary>
    public static IProcessInspector ForCurrentOs() =>
        OperatingSystem.IsLinux()
            ? new LinuxProcessInspector()
            : throw new LeakHoundException(
                $"The process census supports Linux only for now; this is {System.Runtime.InteropServices.RuntimeInformation.OSDescription}.");
}
