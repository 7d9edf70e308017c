using MessagePlatform.Api.Platform;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>
/// A node's MP_NODE_ID is its own while it runs (message ids and gateway queues depend on it), and an
/// in-memory bus never sits in a cluster, where it would miss every other node's pushes.
/// </summary>
public sealed class NodeIdentityTests
{
    private static WebApplicationFactory<Program> QuickToGiveUp(PlatformHost host) =>
        host.WithWebHostBuilder(b => b.UseSetting("Node:ClaimWaitSeconds", "1"));

    private static string StartFailure(WebApplicationFactory<Program> host) =>
        Assert.ThrowsAny<Exception>(() => host.CreateClient()).ToString();

    [Fact]
    public async Task a_second_node_with_the_same_node_id_on_the_same_database_refuses_to_start_naming_MP_NODE_ID()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var first = new PlatformHost(postgres, nodeId: 5);
        first.CreateClient().Dispose();

        await using var clash = new PlatformHost(postgres, nodeId: 5);
        await using var second = QuickToGiveUp(clash);
        Assert.Contains("MP_NODE_ID 5 is in use", StartFailure(second));
        // The first node was not disturbed.
        await first.CreateClient().GetAsync("/health/live").ExpectAsync(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_killed_node_restarted_with_its_node_id_starts_and_a_killed_node_does_not_count_as_alive()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var killed = await ApiProcess.StartAsync(postgres, nodeId: 7);
        killed.Kill();
        await killed.DisposeAsync();
        // Same id, same in-memory transport: the same node coming back, not another one.
        var restarted = await ApiProcess.StartAsync(postgres, nodeId: 7);
        restarted.Kill();
        await restarted.DisposeAsync();

        // Its claim went with its process: an in-memory node of another id may start at once.
        await using var next = new PlatformHost(postgres, nodeId: 8);
        await using var quick = QuickToGiveUp(next);
        quick.CreateClient().Dispose();
    }

    [Fact]
    public async Task an_in_memory_node_refuses_to_start_beside_a_live_node()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var cluster = new PlatformHost(postgres, nodeId: 1, transport: "rabbitmq", rabbitMq: await TestServers.CreateVirtualHostAsync());
        cluster.CreateClient().Dispose();

        await using var alone = new PlatformHost(postgres, nodeId: 2);
        Assert.Contains("MP_TRANSPORT=inmemory refused for MP_NODE_ID 2", StartFailure(alone));
    }

    [Fact]
    public async Task a_node_refuses_to_join_a_live_in_memory_node_and_joins_once_it_has_stopped()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var rabbitMq = await TestServers.CreateVirtualHostAsync();
        await using var inMemory = new PlatformHost(postgres, nodeId: 1);
        inMemory.CreateClient().Dispose();

        await using (var refused = new PlatformHost(postgres, nodeId: 2, transport: "rabbitmq", rabbitMq: rabbitMq))
            Assert.Contains("node(s) 1 on this database run MP_TRANSPORT=inmemory", StartFailure(refused));

        await inMemory.DisposeAsync();
        await using var joined = new PlatformHost(postgres, nodeId: 2, transport: "rabbitmq", rabbitMq: rabbitMq);
        joined.CreateClient().Dispose();
    }

    [Fact]
    public void the_transport_rule_allows_a_lone_node_and_a_rabbitmq_cluster_only()
    {
        Assert.Null(NodeClaims.Refusal(1, "inmemory", []));
        Assert.Null(NodeClaims.Refusal(1, "rabbitmq", []));
        Assert.Null(NodeClaims.Refusal(1, "rabbitmq", [(2, "rabbitmq"), (3, "rabbitmq")]));
        Assert.Contains("MP_TRANSPORT=inmemory refused", NodeClaims.Refusal(1, "inmemory", [(2, "rabbitmq")]));
        Assert.Contains("node(s) 3 on this database run MP_TRANSPORT=inmemory", NodeClaims.Refusal(1, "rabbitmq", [(2, "rabbitmq"), (3, "inmemory")]));
    }
}
