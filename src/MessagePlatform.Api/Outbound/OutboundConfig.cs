using MessagePlatform.Domain.Outbound;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MessagePlatform.Api.Outbound;

public static class OutboundConfig
{
    /// <summary>
    /// A named HttpClient that calls out only under the outbound policy, reads at most
    /// <paramref name="maxAnswerBytes"/> of a buffered answer and gives up after <paramref name="timeout"/>.
    /// </summary>
    public static IHttpClientBuilder AddOutboundClient(this IHostApplicationBuilder builder, string name, int maxAnswerBytes, TimeSpan timeout)
    {
        var allow = builder.Configuration["MP_OUTBOUND_ALLOW"];
        // Parsed here, at start: a wrong CIDR stops the node instead of quietly allowing nothing.
        var addresses = OutboundAddresses.Parse(allow);
        builder.Services.TryAddSingleton(addresses);
        builder.Services.TryAddSingleton<OutboundTargets>();
        builder.Services.TryAddSingleton<OutboundConnections>();
        return builder.Services.AddHttpClient(name, client =>
            {
                client.MaxResponseContentBufferSize = maxAnswerBytes;
                client.Timeout = timeout;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<OutboundConnections>().CreateHandler(timeout));
    }
}
