using LeakHound.Testing.Xunit;
using Shop;
using Xunit;

// The one line: every test of this assembly fails if it leaves a connection in use.
[assembly: GuardConnectionLeaks]
// The counts are process-wide: guarded tests run one at a time.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

namespace XunitSample;

public class SessionTests
{
    [Fact]
    public async Task Leaky_session_check()
    {
        Assert.False(await new SessionClient(Downstream.Http).IsSessionActiveAsync());
    }

    [Fact]
    public async Task Fixed_session_check()
    {
        Assert.False(await new SessionClient(Downstream.Http).IsSessionActiveFixedAsync());
    }
}
