using System.Net;
using System.Net.WebSockets;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Implementations;
using MQTTnet.Server;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// MQTT over WebSocket at /mqtt: what MQTTnet's WebSocket adapter does, with <see cref="PacketBound"/>
/// between the socket and MQTTnet and the connection's place among the unauthenticated ones.
/// </summary>
public sealed class MqttWebSocketDoor(IOptions<MqttDoorOptions> options) : IMqttServerAdapter
{
    private MqttServerOptions _server = new();
    private IMqttNetLogger _logger = MqttNetNullLogger.Instance;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public async Task RunAsync(WebSocket socket, HttpContext http, UnauthenticatedConnections.Admission admission)
    {
        var remote = http.Connection.RemoteIpAddress is { } address ? new IPEndPoint(address, http.Connection.RemotePort) : null;
        var channel = new MqttWebSocketChannel(socket, remote, http.Request.IsHttps, null);
        using var door = DoorChannels.Open(channel, admission, options.Value, _server.WriterBufferSize, _server.WriterBufferSizeMax, _logger);
        if (ClientHandler is { } handler) await handler(door);
    }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        (_server, _logger) = (options, logger);
        return Task.CompletedTask;
    }

    public Task StopAsync() => Task.CompletedTask;

    public void Dispose() { }
}
