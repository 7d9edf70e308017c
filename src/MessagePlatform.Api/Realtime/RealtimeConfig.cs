using MassTransit;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Realtime.Gateway;

namespace MessagePlatform.Api.Realtime;

public static class RealtimeConfig
{
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LocalConnections>();
        builder.Services.AddSingleton<RecipientDirectory>();
        builder.Services.AddSingleton<RoomPushBudget>();
        builder.Services.AddHostedService<RetransmitTimer>();
        return builder;
    }

    public static string NodeQueue(PlatformOptions platform) => $"mp-gateway-node{platform.NodeId}";

    public static void AddPushConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<MessagePushConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<RetractionPushConsumer>().ExcludeFromConfigureEndpoints();
    }

    /// <summary>
    /// The node's own queue: every node gets every push and serves its own connections. Durable,
    /// so its bindings survive a broker restart and what is published meanwhile waits for it;
    /// it expires after a day unused, so a node that is gone for good leaves nothing behind.
    /// One message at a time keeps a session's pushes in order; failures retry with backoff and
    /// then land in the queue's _error queue.
    /// </summary>
    public static void ConfigurePushQueue(this IRabbitMqBusFactoryConfigurator rabbit, IBusRegistrationContext context, PlatformOptions platform) =>
        rabbit.ReceiveEndpoint(NodeQueue(platform), e =>
        {
            e.Durable = true;
            e.AutoDelete = false;
            e.QueueExpiration = TimeSpan.FromDays(1);
            ConfigurePush(e, context);
        });

    public static void ConfigurePushQueue(this IInMemoryBusFactoryConfigurator memory, IBusRegistrationContext context, PlatformOptions platform) =>
        memory.ReceiveEndpoint(NodeQueue(platform), e => ConfigurePush(e, context));

    private static void ConfigurePush(IReceiveEndpointConfigurator endpoint, IBusRegistrationContext context)
    {
        endpoint.ConcurrentMessageLimit = 1;
        endpoint.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
        endpoint.ConfigureConsumer<MessagePushConsumer>(context);
        endpoint.ConfigureConsumer<RetractionPushConsumer>(context);
    }
}
