using LeakHound.Testing.NUnit;
using NUnit.Framework;
using Shop;

// The one line: every test of this assembly fails if it leaves a connection in use (or put it on a fixture or a test).
[assembly: GuardConnectionLeaks]

namespace NunitSample;

public class SessionTests
{
    [Test]
    public async Task Leaky_session_check()
    {
        Assert.That(await new SessionClient(Downstream.Http).IsSessionActiveAsync(), Is.False);
    }

    [Test]
    public async Task Fixed_session_check()
    {
        Assert.That(await new SessionClient(Downstream.Http).IsSessionActiveFixedAsync(), Is.False);
    }
}
