using System.ComponentModel;
using System.Diagnostics;
using LeakHound;

namespace CensusBench;

/// <summary>Runs a program to completion with arguments as a list (never a shell line) and captures stdout.</summary>
internal static class Command
{
    public static string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info) ?? throw new LeakHoundException($"could not start {program}.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            _ = stderr.Result;
            return stdout;
        }
        catch (Win32Exception e)
        {
            throw new LeakHoundException($"could not run {program} ({e.Message}); is it installed?", e);
        }
    }

    /// <summary>True when <paramref name="program"/> is found on PATH.</summary>
    public static bool Exists(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
