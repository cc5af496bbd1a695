using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace LeakHound.Testing.MSTest;

/// <summary>
/// LeakHound.Testing for MSTest. Three ways, from widest to narrowest:
/// <list type="bullet">
/// <item>every test of the assembly: call <see cref="Before"/> and <see cref="After"/> from
/// <c>[GlobalTestInitialize]</c> / <c>[GlobalTestCleanup]</c> methods (MSTest finds global hooks only in the test
/// assembly itself, so these two one-line methods live there); the counts are process-wide, so do not combine
/// it with <c>[assembly: Parallelize]</c>;</item>
/// <item>every test of a class: derive it from <see cref="ConnectionLeakGuardedTest"/>;</item>
/// <item>one test: <c>[GuardedTestMethod]</c> instead of <c>[TestMethod]</c>.</item>
/// </list>
/// </summary>
public static class MSTestLeakGuard
{
    private static readonly ConcurrentDictionary<string, ConnectionLeakGuard> Guards = new();

    /// <summary>The options of the guards started by <see cref="Before"/>.</summary>
    public static LeakGuardOptions Options { get; set; } = LeakGuardOptions.Default;


    /// <summary>Snapshots the connections in use before the test.</summary>
    public static void Before(TestContext context)
    {
        var name = $"{context.FullyQualifiedTestClassName}.{context.TestName}";
        Guards[name] = ConnectionLeakGuard.Start(Options with { TestName = name });
    }

    /// <summary>Fails the test (Assert.Fail) when connections it took are still in use.</summary>
    public static void After(TestContext context)
    {
        var name = $"{context.FullyQualifiedTestClassName}.{context.TestName}";
        if (Guards.TryRemove(name, out var guard))
        {
            var report = guard.Stop();
            if (report.HasLeaks)
            {
                Assert.Fail(report.Describe());
            }
        }
    }
}

/// <summary>A base class whose tests each fail when they leak a connection.</summary>
public abstract class ConnectionLeakGuardedTest
{
    public TestContext TestContext { get; set; } = null!;

    [TestInitialize]
    public void StartConnectionLeakGuard() => MSTestLeakGuard.Before(TestContext);

    [TestCleanup]
    public void CheckConnectionLeaks() => MSTestLeakGuard.After(TestContext);
}

/// <summary>A <c>[TestMethod]</c> that fails when the test leaves a connection in use.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class GuardedTestMethodAttribute : TestMethodAttribute
{
    public GuardedTestMethodAttribute([CallerFilePath] string callerFilePath = "", [CallerLineNumber] int callerLineNumber = -1)
        : base(callerFilePath, callerLineNumber)
    {
    }

    public override async Task<TestResult[]> ExecuteAsync(ITestMethod testMethod)
    {
        var guard = ConnectionLeakGuard.Start(MSTestLeakGuard.Options with { TestName = $"{testMethod.TestClassName}.{testMethod.TestMethodName}" });
        var results = await base.ExecuteAsync(testMethod).ConfigureAwait(false);
        var report = await guard.StopAsync().ConfigureAwait(false);
        if (report.HasLeaks)
        {
            foreach (var result in results)
            {
                if (result.Outcome == UnitTestOutcome.Passed)
                {
                    result.Outcome = UnitTestOutcome.Failed;
                    result.TestFailureException = new ConnectionLeakException(report);
                }
            }
        }

        return results;
    }
}
