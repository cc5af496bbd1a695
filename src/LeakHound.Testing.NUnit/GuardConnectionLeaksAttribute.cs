using System.Collections.Concurrent;
using NUnit.Framework;
using NUnit.Framework.Interfaces;

namespace LeakHound.Testing.NUnit;

/// <summary>
/// Fails each test that leaves a connection in use. Put it on a test, a fixture, or the assembly
/// (<c>[assembly: GuardConnectionLeaks]</c>). The counts are process-wide: do not combine the assembly-wide
/// check with <c>[Parallelizable]</c> tests (a failure says so when guarded tests overlapped).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class GuardConnectionLeaksAttribute : Attribute, ITestAction
{
    private static readonly ConcurrentDictionary<string, ConnectionLeakGuard> Guards = new();

    /// <summary>Also count this process's own TCP sockets (see <see cref="LeakGuardOptions.Sockets"/>).</summary>
    public bool Sockets { get; set; }

    /// <summary>Milliseconds to wait for connections returned asynchronously (default 2000).</summary>
    public int DeadlineMilliseconds { get; set; } = 2000;

    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
        Guards[test.Id] = ConnectionLeakGuard.Start(new LeakGuardOptions
        {
            Sockets = Sockets,
            Deadline = TimeSpan.FromMilliseconds(DeadlineMilliseconds),
            TestName = test.FullName,
        });
    }

    public void AfterTest(ITest test)
    {
        if (Guards.TryRemove(test.Id, out var guard))
        {
            var report = guard.Stop();
            if (report.HasLeaks)
            {
                Assert.Fail(report.Describe());
            }
        }
    }
}
