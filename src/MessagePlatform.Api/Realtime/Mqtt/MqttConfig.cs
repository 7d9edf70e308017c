using MessagePlatform.Api.Realtime.Gateway;
using MQTTnet.AspNetCore;
using MQTTnet.Server;
using MQTTnet.Server.Internal.Adapter;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// MQTTnet's broker inside the host: MQTT over WebSocket at <see cref="Path"/> on the host's own
/// port, and over TCP on all interfaces when `MP_MQTT_PORT` is set (MQTTnet's own listener, so the
/// host's `ASPNETCORE_URLS` stay as they are).
/// </summary>
public static class MqttConfig
{
    public const string Path = "/mqtt";

    public static IHostApplicationBuilder AddMqttGateway(this IHostApplicationBuilder builder)
    {
        var tcpPort = builder.Configuration.GetValue<int?>("MP_MQTT_PORT");
        builder.Services.AddSingleton<TopicRules>();
        builder.Services.AddSingleton<MqttSends>();
        builder.Services.AddSingleton<MqttGateway>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MqttGateway>());
        builder.Services.AddHostedMqttServer(options =>
        {
            if (tcpPort is { } port) options.WithDefaultEndpoint().WithDefaultEndpointPort(port);
            else options.WithoutDefaultEndpoint();
            // The connection's own queue bounds what waits for a client; MQTTnet's matches it.
            options.WithMaxPendingMessagesPerClient(ClientConnection.QueueCapacity)
                .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropNewMessage);
        });
        builder.Services.AddSingleton<MqttWebSocketServerAdapter>();
        builder.Services.AddSingleton<IMqttServerAdapter>(sp => new ClientIdAssignment(sp.GetRequiredService<MqttWebSocketServerAdapter>()));
        if (tcpPort is not null) builder.Services.AddSingleton<IMqttServerAdapter>(_ => new ClientIdAssignment(new MqttTcpServerAdapter()));
        return builder;
    }

    public static void MapMqttApi(this IEndpointRouteBuilder app) =>
        app.Map(Path, ConnectAsync).WithTags("Realtime")
            .WithSummary("MQTT 3.1.1 and 5 over WebSocket (subprotocol `mqtt`); username = userId, password = user token.");

    private static async Task ConnectAsync(HttpContext http, MqttWebSocketServerAdapter adapter)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket required",
                detail: "Connect an MQTT client over WebSocket with the subprotocol 'mqtt'.").ExecuteAsync(http);
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(MqttSubProtocolSelector.SelectSubProtocol(http.Request));
        await adapter.RunWebSocketConnectionAsync(socket, http);
    }
}
