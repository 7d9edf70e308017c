using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Concurrency;

/// <summary>Two nodes (different MP_NODE_ID) on one database: a cluster as API.md defines one.</summary>
public sealed class TwoNodeFixture : IAsyncLifetime
{
    public PlatformHost NodeA { get; private set; } = null!;
    public PlatformHost NodeB { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        NodeA = new PlatformHost(postgres, nodeId: 1);
        NodeB = new PlatformHost(postgres, nodeId: 2);
        Admin = NodeA.ClientWith(PlatformHost.AdminKey);
        // Both hosts migrate the schema at start: start them one after the other.
        NodeB.ClientWith(PlatformHost.AdminKey).Dispose();
    }

    public async Task DisposeAsync()
    {
        await NodeA.DisposeAsync();
        await NodeB.DisposeAsync();
    }
}
