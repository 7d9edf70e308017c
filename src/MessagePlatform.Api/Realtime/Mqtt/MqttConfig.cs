using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Realtime.Gateway;
using MQTTnet.AspNetCore;
using MQTTnet.Server;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// MQTTnet's broker inside the host: MQTT over WebSocket at <see cref="Path"/> on the host's own
/// port, and over TCP on all interfaces when `MP_MQTT_PORT` is set (a listener of its own, so the
/// host's `ASPNETCORE_URLS` stay as they are). Both doors bound what a client may make the node hold.
/// </summary>
public static class MqttConfig
{
    public const string Path = "/mqtt";

    /// <summary>MQTT over TCP listens on this port, on all interfaces, when it is set.</summary>
    public const string TcpPortSetting = "MP_MQTT_PORT";

    public static IHostApplicationBuilder AddMqttGateway(this IHostApplicationBuilder builder)
    {
        var tcpPort = builder.Configuration.GetValue<int?>(TcpPortSetting);
        if (tcpPort is < 1 or > 65535) throw new InvalidOperationException($"{TcpPortSetting} must be a port, 1..65535, not {tcpPort}.");
        builder.Services.AddSettings<MqttDoorOptions>(MqttDoorOptions.Section)
            .Validate(o => o.MaxConnectPacketBytes <= o.MaxPacketBytes, "Mqtt:MaxConnectPacketBytes must not be above Mqtt:MaxPacketBytes.")
            .Validate(o => o.MaxUnauthenticatedPerAddress <= o.MaxUnauthenticated, "Mqtt:MaxUnauthenticatedPerAddress must not be above Mqtt:MaxUnauthenticated.");
        builder.Services.AddSingleton<UnauthenticatedConnections>();
        builder.Services.AddSingleton<MqttSignIn>();
        builder.Services.AddSingleton<TopicRules>();
        builder.Services.AddSingleton<MqttSends>();
        builder.Services.AddSingleton<MqttGateway>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MqttGateway>());
        builder.Services.AddHostedMqttServer(options =>
        {
            // Our own doors listen (MqttTcpDoor, MqttWebSocketDoor); MQTTnet's default endpoint stays off.
            options.WithoutDefaultEndpoint();
            // The connection's own queue bounds what waits for a client; MQTTnet's matches it.
            options.WithMaxPendingMessagesPerClient(ClientConnection.QueueCapacity)
                .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropNewMessage);
        });
        builder.Services.AddSingleton<MqttWebSocketDoor>();
        builder.Services.AddSingleton<IMqttServerAdapter>(sp => sp.GetRequiredService<MqttWebSocketDoor>());
        if (tcpPort is { } port)
            builder.Services.AddSingleton<IMqttServerAdapter>(sp => ActivatorUtilities.CreateInstance<MqttTcpDoor>(sp, port));
        return builder;
    }

    public static void MapMqttApi(this IEndpointRouteBuilder app) =>
        app.Map(Path, ConnectAsync).WithName("connectMqtt").WithTags("Realtime")
            .WithSummary("MQTT 3.1.1 and 5 over WebSocket (subprotocol `mqtt`); username = userId, password = user token.");

    private static async Task ConnectAsync(HttpContext http, MqttWebSocketDoor door, UnauthenticatedConnections waiting, ILogger<MqttWebSocketDoor> log)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket required",
                detail: "Connect an MQTT client over WebSocket with the subprotocol 'mqtt'.").ExecuteAsync(http);
            return;
        }
        // Counted from before the handshake: a client that never sends CONNECT holds one of few places.
        using var admission = waiting.TryAdmit(http.Connection.RemoteIpAddress is { } ip ? new System.Net.IPEndPoint(ip, 0) : null);
        if (admission is null)
        {
            log.LogWarning("MQTT WebSocket from {RemoteAddress} refused: too many unauthenticated connections", http.Connection.RemoteIpAddress);
            http.Response.Headers.RetryAfter = "5";
            await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many unauthenticated connections",
                detail: "Too many MQTT connections from this address have not sent CONNECT yet; try again later.").ExecuteAsync(http);
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(MqttSubProtocolSelector.SelectSubProtocol(http.Request));
        await door.RunAsync(socket, http, admission);
    }
}
