using LeakHound.Sources.Postgres;

namespace LeakHound.Tests.Postgres;

public sealed class PostgresCapacityPlanTests
{
    [Theory]
    [InlineData("web=pool:10,threads:5,processes:4,hosts:3", 600)]
    [InlineData("web=10x5x4x3", 600)]
    [InlineData("web=10×5×4×3", 600)]
    [InlineData("web=pool:5,processes:2,hosts:4", 40)]
    public void The_worst_case_is_the_product(string text, long expected)
    {
        var plan = AppPlan.Parse(text);

        Assert.Equal("web", plan.Name);
        Assert.Equal(expected, plan.MaxConnections);
    }

    [Theory]
    [InlineData("web")]
    [InlineData("web=10x5x4")]
    [InlineData("web=threads:5")]
    [InlineData("web=pool:0")]
    [InlineData("web=pool:ten")]
    [InlineData("web=pool:5,cores:2")]
    public void A_malformed_app_is_a_usage_error(string text)
    {
        var e = Assert.Throws<UsageException>(() => AppPlan.Parse(text));

        Assert.Contains("pool", e.Message);
    }

    [Fact]
    public void Seed_004_puma_on_dynos_exceeds_a_small_server()
    {
        // Seed 004: pool 5 per worker, 2 workers, 4 dynos = 40, and a background job app on top.
        var plan = new CapacityPlan([AppPlan.Parse("api=pool:5,processes:2,hosts:4"), AppPlan.Parse("jobs=pool:10,processes:3,hosts:2")], 100, 3);

        Assert.Equal(97, plan.Limit);
        Assert.Equal(100, plan.Total);
        Assert.Equal(-3, plan.Headroom);
        Assert.True(plan.CanExceed);
        Assert.False(new CapacityPlan([AppPlan.Parse("api=5x1x2x4")], 100, 3).CanExceed);
    }
}
