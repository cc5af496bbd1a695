namespace LeakHound.Tests.Census;

// Live census tests count this process's sockets exactly; another test opening sockets meanwhile would break the counts.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CensusCollection
{
    public const string Name = "Live census";
}
