namespace LeakHound.Cli.Serving;

/// <summary>OTLP export of the latest values (not yet implemented).</summary>
internal static class OtlpExport
{
    public static IDisposable Start(ServeState state, string endpoint) =>
        throw new UsageException($"--otlp {endpoint}: OTLP export is not available in this build.");
}
