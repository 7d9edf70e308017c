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
        builder.Services.AddHostedService<RetransmitTimer>();
        return builder;
    }

    /// <summary>
    /// One queue per gateway node (auto-deleted with it), consumed one message at a time so a
    /// session's pushes leave in the order the subscription published them.
    /// </summary>
    public static void AddPushConsumers(this IBusRegistrationConfigurator bus, PlatformOptions platform)
    {
        var queue = $"mp-gateway-node{platform.NodeId}";
        // A consumer that fails (the database briefly away) is retried with backoff, then faulted
        // to the queue's _error queue where an operator can see it.
        bus.AddConfigureEndpointsCallback((_, endpoint) =>
            endpoint.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200))));
        bus.AddConsumer<MessagePushConsumer>().Endpoint(e => ConfigureNodeQueue(e, queue));
        bus.AddConsumer<RetractionPushConsumer>().Endpoint(e => ConfigureNodeQueue(e, queue));
    }

    private static void ConfigureNodeQueue(IEndpointRegistrationConfigurator endpoint, string queue)
    {
        endpoint.Name = queue;
        endpoint.Temporary = true;
        endpoint.ConcurrentMessageLimit = 1;
    }
}
