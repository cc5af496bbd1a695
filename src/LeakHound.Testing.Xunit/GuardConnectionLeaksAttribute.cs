using System.Collections.Concurrent;
using System.Reflection;
using Xunit.v3;

namespace LeakHound.Testing.Xunit;

/// <summary>
/// Fails each test that leaves a connection in use: <c>[assembly: GuardConnectionLeaks]</c> covers every test of
/// the assembly (it may also be put on a class or a method). The counts are process-wide, so tests guarded this
/// way should not run in parallel: add <c>[assembly: Parallelization(Mode = ParallelMode.None)]</c>
/// (a failure says so when guarded tests overlapped).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class GuardConnectionLeaksAttribute : BeforeAfterTestAttribute
{
    private static readonly ConcurrentDictionary<string, ConnectionLeakGuard> Guards = new();

    /// <summary>Also count this process's own TCP sockets (see <see cref="LeakGuardOptions.Sockets"/>).</summary>
    public bool Sockets { get; set; }

    /// <summary>Milliseconds to wait for connections returned asynchronously (default 2000).</summary>
    public int DeadlineMilliseconds { get; set; } = 2000;

    public override void Before(MethodInfo methodUnderTest, IXunitTest test)
    {
        var options = new LeakGuardOptions
        {
            Sockets = Sockets,
            Deadline = TimeSpan.FromMilliseconds(DeadlineMilliseconds),
            TestName = test.TestDisplayName,
        };
        Guards[test.UniqueID] = ConnectionLeakGuard.Start(options);
    }

    public override void After(MethodInfo methodUnderTest, IXunitTest test)
    {
        if (Guards.TryRemove(test.UniqueID, out var guard))
        {
            guard.AssertNoLeaks();
        }
    }
}
