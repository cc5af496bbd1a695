using LeakHound;

namespace CensusBench;

/// <summary>Where the sample's build is: next to ours (project reference) unless --leaky says otherwise.</summary>
internal static class ChildPaths
{
    public static string LeakyService(string? overridePath)
    {
        var path = overridePath ?? Path.Combine(AppContext.BaseDirectory, "LeakyService.dll");
        return File.Exists(path)
            ? Path.GetFullPath(path)
            : throw new LeakHoundException($"LeakyService.dll not found at {path}; build samples/LeakyService or pass --leaky PATH.");
    }
}
