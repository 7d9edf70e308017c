using MassTransit;
using Microsoft.Extensions.Options;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.Api.Realtime.Mqtt;

namespace MessagePlatform.Api.Realtime;

public static class RealtimeConfig
{
    public const string FanOutQueue = "mp-fanout";

    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section)
            .Validate(o => o.Valid, "Realtime: FramesPerSecond >= 1, FrameBurst >= FramesPerSecond, MaxConnectionsPerUser >= 1, ErrorQueueTtlSeconds >= 1.")
            .ValidateOnStart();
        builder.Services.AddSingleton<UserConnectionQuota>();
        builder.Services.AddSingleton<InboundFrameRate>();
        builder.Services.AddHostedService<RevocationSweep>();
        builder.Services.AddSingleton<LocalConnections>();
        builder.Services.AddSingleton<RoomPushBudget>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConnectionRegistry>());
        builder.Services.AddHostedService<RetransmitTimer>();
        builder.AddMqttGateway();
        return builder;
    }

    public static string NodeQueue(int nodeId) => $"mp-gateway-node{nodeId}";

    /// <summary>
    /// The node queue's exchange: sending there never declares the queue (a sender declaring it
    /// without the owner's arguments would fail), and a node that is gone simply gets nothing.
    /// </summary>
    public static Uri NodeQueueAddress(int nodeId) => new($"exchange:{NodeQueue(nodeId)}");

    public static void AddPushConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<FanOutConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<PushBatchConsumer>().ExcludeFromConfigureEndpoints();
    }

    /// <summary>
    /// Two queues: `mp-fanout`, bound to the published messages and consumed by one node at a time
    /// (single active consumer), and each node's own queue, which only receives the batches sent to
    /// it. Both are durable, so bindings and messages survive a broker restart; a node queue
    /// expires after a day unused, so a node gone for good leaves nothing behind. What lands in an
    /// `_error` queue is dropped after `Realtime:ErrorQueueTtlSeconds` (x-message-ttl): a failed push
    /// is stale long before then, and the queue must not grow forever. RabbitMQ refuses to redeclare
    /// a queue with other arguments, so `_error` queues declared before this must be deleted once.
    /// </summary>
    public static void ConfigurePushQueues(this IRabbitMqBusFactoryConfigurator rabbit, IBusRegistrationContext context, PlatformOptions platform)
    {
        var ttl = context.GetRequiredService<IOptions<RealtimeOptions>>().Value.ErrorQueueTtlSeconds;
        rabbit.SendTopology.ConfigureErrorSettings = error => error.SetQueueArgument("x-message-ttl", ttl * 1000L);
        rabbit.ReceiveEndpoint(FanOutQueue, e =>
        {
            e.SingleActiveConsumer = true;
            Configure<FanOutConsumer>(e, context);
        });
        rabbit.ReceiveEndpoint(NodeQueue(platform.NodeId), e =>
        {
            e.QueueExpiration = TimeSpan.FromDays(1);
            Configure<PushBatchConsumer>(e, context);
        });
    }

    public static void ConfigurePushQueues(this IInMemoryBusFactoryConfigurator memory, IBusRegistrationContext context, PlatformOptions platform)
    {
        memory.ReceiveEndpoint(FanOutQueue, e => Configure<FanOutConsumer>(e, context));
        memory.ReceiveEndpoint(NodeQueue(platform.NodeId), e => Configure<PushBatchConsumer>(e, context));
    }

    // One message at a time keeps a session's pushes in order; failures retry with backoff, then
    // land in the queue's _error queue.
    private static void Configure<TConsumer>(IReceiveEndpointConfigurator endpoint, IBusRegistrationContext context)
        where TConsumer : class, IConsumer
    {
        endpoint.ConcurrentMessageLimit = 1;
        endpoint.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
        endpoint.ConfigureConsumer<TConsumer>(context);
    }
}
