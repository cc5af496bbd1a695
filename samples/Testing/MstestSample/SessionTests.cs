using LeakHound.Testing.MSTest;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using Shop;

namespace MstestSample;

/// <summary>Every test of the assembly is guarded: MSTest finds global hooks only in the test assembly, so they are here.</summary>
[TestClass]
public static class LeakGuard
{
    [GlobalTestInitialize]
    public static void Before(TestContext context) => MSTestLeakGuard.Before(context);

    [GlobalTestCleanup]
    public static void After(TestContext context) => MSTestLeakGuard.After(context);
}

[TestClass]
public class SessionTests
{
    [TestMethod]
    public async Task Leaky_session_check()
    {
        Assert.IsFalse(await new SessionClient(Downstream.Http).IsSessionActiveAsync());
    }

    [TestMethod]
    public async Task Fixed_session_check()
    {
        Assert.IsFalse(await new SessionClient(Downstream.Http).IsSessionActiveFixedAsync());
    }

}
