using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace LeakHound.Testing;

/// <summary>Where a connection still held was taken: the user's frames of the stack at that moment.</summary>
public sealed record Acquisition(LeakKind Kind, string Target, int ThreadId, DateTimeOffset At)
{
    private string? _stack;

    internal long Sequence { get; init; }

    internal StackTrace? Trace { get; init; }

    /// <summary>The user's frames, formatted only when a report asks for them.</summary>
    public string Stack => _stack ??= Trace is null ? "" : LeakTracking.UserFrames(Trace);

    /// <summary>
    /// What holds the connection (the undisposed response's content), kept reachable while tracked: otherwise the
    /// garbage collector may finalize an unreachable response's connection and hide the leak from the guard.
    /// </summary>
    internal object? Holder { get; init; }
}

/// <summary>
/// Opt-in attribution: <see cref="LeakTrackingHandler"/> and <see cref="TrackedNpgsqlDataSource"/> record the stack
/// of each response not yet disposed and each connection opened and not closed, so that a leak's failure message
/// names the line that took it. When <see cref="Enabled"/> is false they pass calls straight through
/// (one static field read); when no tracking wrapper is used, nothing is recorded at all.
/// </summary>
public static class LeakTracking
{
    private static readonly ConcurrentDictionary<long, Acquisition> Open = new();
    private static long _sequence;

    /// <summary>On unless the environment variable LEAKHOUND_TRACK is 0 or false.</summary>
    public static bool Enabled { get; set; } =
        Environment.GetEnvironmentVariable("LEAKHOUND_TRACK") is not ("0" or "false" or "False");

    /// <summary>How many user frames a recorded stack keeps.</summary>
    public static int MaxFrames { get; set; } = 8;

    internal static long CurrentSequence => Interlocked.Read(ref _sequence);

    /// <summary>Acquisitions still open (not disposed, not closed).</summary>
    public static IReadOnlyList<Acquisition> Outstanding() => Open.Values.OrderBy(a => a.Sequence).ToList();

    internal static IReadOnlyList<Acquisition> OutstandingSince(long sequence) =>
        Open.Values.Where(a => a.Sequence > sequence).OrderBy(a => a.Sequence).ToList();

    /// <summary>Records one acquisition; dispose the returned handle when the connection is given back.</summary>
    internal static TrackingHandle Record(LeakKind kind, string target, StackTrace stack, object? holder = null)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        Open[sequence] = new Acquisition(kind, target, Environment.CurrentManagedThreadId, DateTimeOffset.UtcNow) { Sequence = sequence, Trace = stack, Holder = holder };
        return new TrackingHandle(sequence);
    }

    internal static void Release(long sequence) => Open.TryRemove(sequence, out _);

    private static readonly string[] FrameworkPrefixes =
        ["System", "Microsoft", "Npgsql", "MySqlConnector", "xunit", "xunit.v3", "nunit.framework", "NUnit3.TestAdapter", "MSTest", "netstandard", "mscorlib", "Polly", "Castle", "Moq", "NSubstitute"];

    private static bool IsFramework(Assembly assembly)
    {
        if (assembly == typeof(LeakTracking).Assembly)
        {
            return true;
        }

        var name = assembly.GetName().Name ?? "";
        return FrameworkPrefixes.Any(p => name.Equals(p, StringComparison.OrdinalIgnoreCase) || name.StartsWith(p + ".", StringComparison.OrdinalIgnoreCase))
               || name.StartsWith("LeakHound.Testing.", StringComparison.Ordinal) && !name.EndsWith(".Tests", StringComparison.Ordinal);
    }

    /// <summary>
    /// The user's frames, one per line ("at Shop.SessionClient.IsSessionActiveAsync() in SessionClient.cs:line 21"):
    /// framework assemblies are left out and async state machines and lambdas are named after the method that wrote them.
    /// </summary>
    internal static string UserFrames(StackTrace stack)
    {
        var text = new StringBuilder();
        var kept = 0;
        string? previous = null;
        foreach (var frame in stack.GetFrames())
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (method is null || type is null || IsFramework(type.Assembly))
            {
                // The user's block ends at the first framework frame below it (a test runner's, or a continuation's
                // that merely ran on this thread).
                if (kept > 0 && method is not null && type is not null && !IsPlumbing(type))
                {
                    break;
                }

                continue;
            }

            var described = Describe(method, type);
            if (described == previous)
            {
                continue; // an async method's kick-off stub above its state machine
            }

            previous = described;
            if (kept++ == MaxFrames)
            {
                text.Append("   …\n");
                break;
            }

            text.Append("   at ").Append(described);
            if (frame.GetFileName() is { } file)
            {
                text.Append(" in ").Append(file).Append(":line ").Append(frame.GetFileLineNumber());
            }

            text.Append('\n');
        }

        return kept == 0 ? "   (no user frames: the call came from framework code only)\n" : text.ToString();
    }

    /// <summary>Async and thread plumbing between two user frames (AsyncMethodBuilderCore.Start, ExecutionContext.Run).</summary>
    private static bool IsPlumbing(Type type) =>
        type.Namespace is "System.Runtime.CompilerServices" or "System.Threading" or "System.Threading.Tasks";

    private static string Describe(MethodBase method, Type type)
    {
        var name = method.Name;
        // Async and iterator state machines: <Method>d__4.MoveNext -> Method.
        if (name == "MoveNext" && type.Name.StartsWith('<') && type.DeclaringType is not null)
        {
            name = Between(type.Name);
            type = type.DeclaringType;
        }

        // Lambdas: <Method>b__3_0 in <>c or <>c__DisplayClass -> Method (lambda).
        var lambda = name.StartsWith('<') && name.Contains(">b__", StringComparison.Ordinal);
        if (lambda)
        {
            name = Between(name);
        }

        while (type.Name.StartsWith('<') && type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        var full = $"{type.FullName?.Replace('+', '.')}.{name}()";
        return lambda ? full + " (lambda)" : full;
    }

    private static string Between(string mangled)
    {
        var end = mangled.IndexOf('>', StringComparison.Ordinal);
        return end > 1 ? mangled[1..end] : mangled;
    }
}

/// <summary>Releases one recorded acquisition once (idempotent).</summary>
internal sealed class TrackingHandle(long sequence)
{
    private int _released;

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            LeakTracking.Release(sequence);
        }
    }
}
