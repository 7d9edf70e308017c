using MassTransit;
using MessagePlatform.Contracts;
using Microsoft.Extensions.Options;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.Api.Realtime.Mqtt;

namespace MessagePlatform.Api.Realtime;

public static class RealtimeConfig
{
    public const string FanOutQueue = "mp-fanout";

    /// <summary>Sessions a node fans out or pushes at once; each session stays in one partition, in order.</summary>
    public const int Partitions = 16;

    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<RealtimeOptions>(RealtimeOptions.Section)
            .Validate(o => o.FrameBurst >= o.FramesPerSecond, "Realtime:FrameBurst must be at least Realtime:FramesPerSecond.")
            .Validate(o => o.SyncInsteadAfterMilliseconds >= o.ShedLowPriorityAfterMilliseconds,
                "Realtime:SyncInsteadAfterMilliseconds must be at least Realtime:ShedLowPriorityAfterMilliseconds.");
        builder.Services.AddSingleton<UserConnectionQuota>();
        builder.Services.AddSingleton<InboundFrameRate>();
        builder.Services.AddHostedService<RevocationSweep>();
        builder.Services.AddSingleton<LocalConnections>();
        builder.Services.AddSingleton<RoomPushBudget>();
        builder.Services.AddSingleton<Typing.TypingSignals>();
        builder.Services.AddSingleton<SessionMembers>();
        builder.Services.AddSingleton<ReactionWindow>();
        builder.Services.AddHostedService<ReactionCountsFlush>();
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
        bus.AddConsumer<SessionPushConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<BroadcastPushConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<Typing.TypingPushConsumer>().ExcludeFromConfigureEndpoints();
    }

    /// <summary>
    /// Two queues: `mp-fanout`, bound to the published batches and consumed by one node at a time
    /// (single active consumer), and each node's own queue, which only receives what is sent to it.
    /// On both, messages run in <see cref="Partitions"/> partitions keyed by session: sessions in
    /// parallel, each one's batches in order. Both are durable, so bindings and messages survive a
    /// broker restart; a node queue expires after a day unused, so a node gone for good leaves
    /// nothing behind. What lands in an `_error` queue is dropped after `Realtime:ErrorQueueTtlSeconds`
    /// (x-message-ttl): a failed push is stale long before then, and the queue must not grow forever.
    /// RabbitMQ refuses to redeclare a queue with other arguments, so `_error` queues declared
    /// before this must be deleted once.
    /// </summary>
    public static void ConfigurePushQueues(this IRabbitMqBusFactoryConfigurator rabbit, IBusRegistrationContext context, PlatformOptions platform)
    {
        var ttl = context.GetRequiredService<IOptions<RealtimeOptions>>().Value.ErrorQueueTtlSeconds;
        rabbit.SendTopology.ConfigureErrorSettings = error => error.SetQueueArgument("x-message-ttl", ttl * 1000L);
        rabbit.ReceiveEndpoint(FanOutQueue, e =>
        {
            e.SingleActiveConsumer = true;
            e.PrefetchCount = Partitions * 4;
            ConfigureFanOut(e, context);
        });
        rabbit.ReceiveEndpoint(NodeQueue(platform.NodeId), e =>
        {
            e.QueueExpiration = TimeSpan.FromDays(1);
            e.PrefetchCount = Partitions * 4;
            ConfigureNodePushes(e, context);
        });
    }

    public static void ConfigurePushQueues(this IInMemoryBusFactoryConfigurator memory, IBusRegistrationContext context, PlatformOptions platform)
    {
        memory.ReceiveEndpoint(FanOutQueue, e => ConfigureFanOut(e, context));
        memory.ReceiveEndpoint(NodeQueue(platform.NodeId), e => ConfigureNodePushes(e, context));
    }

    private static void ConfigureFanOut(IReceiveEndpointConfigurator endpoint, IBusRegistrationContext context)
    {
        var partitioner = endpoint.CreatePartitioner(Partitions);
        endpoint.ConcurrentMessageLimit = Partitions;
        endpoint.ConfigureConsumer<FanOutConsumer>(context, consumer =>
        {
            consumer.Message<SessionEventsPublished>(m => InOrder(m, partitioner, c => SessionKey(c.Message.TenantId, c.Message.SessionId)));
            consumer.Message<BroadcastPublished>(m => InOrder(m, partitioner, c => "$broadcast"));
        });
    }

    private static void ConfigureNodePushes(IReceiveEndpointConfigurator endpoint, IBusRegistrationContext context)
    {
        var partitioner = endpoint.CreatePartitioner(Partitions);
        endpoint.ConcurrentMessageLimit = Partitions;
        endpoint.ConfigureConsumer<SessionPushConsumer>(context, consumer =>
            consumer.Message<SessionPushes>(m => InOrder(m, partitioner, c => SessionKey(c.Message.TenantId, c.Message.SessionId))));
        endpoint.ConfigureConsumer<BroadcastPushConsumer>(context, consumer =>
            consumer.Message<BroadcastPush>(m => InOrder(m, partitioner, c => "$broadcast")));
        endpoint.ConfigureConsumer<Typing.TypingPushConsumer>(context, consumer =>
            consumer.Message<TypingPush>(m => m.UsePartitioner(partitioner, c => SessionKey(c.Message.TenantId, c.Message.SessionId))));
    }

    private static string SessionKey(string tenantId, string sessionId) => $"{tenantId}/{sessionId}";

    // The retry runs inside the partition, so a failing batch holds its session's later ones back
    // (order kept) and not the other sessions'; after the last try it lands in the _error queue.
    private static void InOrder<T>(IPipeConfigurator<ConsumeContext<T>> message, IPartitioner partitioner, Func<ConsumeContext<T>, string> key)
        where T : class
    {
        message.UsePartitioner(partitioner, key);
        message.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
    }
}
