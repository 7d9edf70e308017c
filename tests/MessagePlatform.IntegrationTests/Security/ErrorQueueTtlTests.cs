using System.Net;
using MessagePlatform.IntegrationTests.Infrastructure;
using MessagePlatform.IntegrationTests.Realtime;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>Issue 11, point 6: what fails to push lands in an `_error` queue and is dropped after its TTL, not kept forever.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class ErrorQueueTtlTests
{
    private const int NodeId = 73;

    [Fact]
    public async Task a_push_that_cannot_be_read_leaves_its_error_queue_after_the_ttl()
    {
        await using var node = await ApiProcess.StartAsync(await TestServers.CreateDatabaseAsync(), NodeId, new Dictionary<string, string>
        {
            ["MP_TRANSPORT"] = "rabbitmq",
            ["MP_RABBITMQ"] = TestServers.RabbitMq,
            ["Realtime__ErrorQueueTtlSeconds"] = "2",
        });
        using (var probe = new HttpClient { BaseAddress = node.Address })
            for (var deadline = DateTime.UtcNow.AddSeconds(30); (await probe.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK; await Task.Delay(200))
                Assert.True(DateTime.UtcNow < deadline, "the node's bus did not become ready");

        var factory = new ConnectionFactory { Uri = new Uri(TestServers.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            // Not a MassTransit envelope: the node cannot read it and moves it to its _error queue.
            var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true };
            await channel.BasicPublishAsync($"mp-gateway-node{NodeId}", "", mandatory: false, properties, "not a push"u8.ToArray());
        }

        var queue = $"mp-gateway-node{NodeId}_error";
        var sawIt = false;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var count = await CountAsync(connection, queue);
            if (count > 0) sawIt = true;
            else if (sawIt) return;
        }
        Assert.Fail(sawIt ? $"{queue} still holds the failed push 30 s later" : $"the failed push never reached {queue}");
    }

    private static async Task<uint> CountAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            // Not declared yet: nothing has failed so far.
            return 0;
        }
    }
}
