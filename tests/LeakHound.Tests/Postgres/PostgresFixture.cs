using LeakHound.TestSupport;

namespace LeakHound.Tests.Postgres;

/// <summary>One PostgreSQL 15 for every test in the collection, started before the first and stopped after the last.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

// One at a time: the tests compare exact connection counts on the shared server.
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
