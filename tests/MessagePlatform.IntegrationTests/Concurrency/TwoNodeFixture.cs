using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Concurrency;

/// <summary>Two nodes (different MP_NODE_ID) on one database and one RabbitMQ: a cluster as API.md defines one.</summary>
public sealed class TwoNodeFixture : IAsyncLifetime
{
    public PlatformHost NodeA { get; private set; } = null!;
    public PlatformHost NodeB { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        // A cluster runs on RabbitMQ (a node refuses in-memory beside another); a vhost of its own keeps its queues apart.
        var rabbitMq = await TestServers.CreateVirtualHostAsync();
        NodeA = new PlatformHost(postgres, nodeId: 1, transport: "rabbitmq", rabbitMq: rabbitMq);
        NodeB = new PlatformHost(postgres, nodeId: 2, transport: "rabbitmq", rabbitMq: rabbitMq);
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
