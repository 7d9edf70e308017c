using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.TestHost;
using MQTTnet;
using MQTTnet.Channel;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>One PUBLISH the client received: its topic, QoS and the frame JSON it carries.</summary>
public sealed record MqttDelivery(string Topic, MqttQualityOfServiceLevel Qos, JsonElement Frame, MqttApplicationMessageReceivedEventArgs Args)
{
    public string? Type => Frame.GetProperty("type").GetString();
    public Task AckAsync() => Args.AcknowledgeAsync(CancellationToken.None);
}

/// <summary>
/// An end user's MQTTnet client, over /mqtt through the in-process test server (the WebSocket
/// handed to MQTTnet as its stream) or over TCP. With <c>manualAcks</c> it PUBACKs only when told.
/// </summary>
public sealed class MqttTestClient(IMqttClient client) : IAsyncDisposable
{
    private readonly Channel<MqttDelivery> _received = Channel.CreateUnbounded<MqttDelivery>();

    public IMqttClient Client => client;

    public static async Task<(MqttTestClient Client, MqttClientConnectResult Result)> OverWebSocketAsync(
        PlatformHost host, string userId, string password, bool manualAcks = false, MqttProtocolVersion version = MqttProtocolVersion.V500,
        string? clientId = null, bool cleanSession = true)
    {
        var sockets = host.Server.CreateWebSocketClient();
        sockets.SubProtocols.Add("mqtt");
        var socket = await sockets.ConnectAsync(new Uri("ws://localhost/mqtt"), CancellationToken.None);
        var options = Options(userId, password, version, clientId, cleanSession).WithTcpServer("localhost")
            .WithStreamProvider(new OpenStream(WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true)));
        return await ConnectAsync(options.Build(), manualAcks);
    }

    public static Task<(MqttTestClient Client, MqttClientConnectResult Result)> OverTcpAsync(
        int port, string userId, string password, bool manualAcks = false, MqttProtocolVersion version = MqttProtocolVersion.V500,
        string? clientId = null, bool cleanSession = true) =>
        ConnectAsync(Options(userId, password, version, clientId, cleanSession).WithTcpServer("127.0.0.1", port).Build(), manualAcks);

    private static MqttClientOptionsBuilder Options(string userId, string password, MqttProtocolVersion version, string? clientId = null,
        bool cleanSession = true)
    {
        var options = new MqttClientOptionsBuilder().WithClientId(clientId ?? $"{userId}-{Guid.NewGuid():N}"[..23]).WithCredentials(userId, password)
            .WithProtocolVersion(version).WithCleanSession(cleanSession).WithTimeout(TimeSpan.FromSeconds(20));
        // A persistent session asks the server to keep it after the connection (MQTT 5 says so by an expiry).
        return cleanSession ? options : options.WithSessionExpiryInterval(3600);
    }

    private static async Task<(MqttTestClient, MqttClientConnectResult)> ConnectAsync(MqttClientOptions options, bool manualAcks)
    {
        var mqtt = new MqttClientFactory().CreateMqttClient();
        var client = new MqttTestClient(mqtt);
        mqtt.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = !manualAcks;
            var frame = JsonDocument.Parse(e.ApplicationMessage.Payload).RootElement.Clone();
            client._received.Writer.TryWrite(new MqttDelivery(e.ApplicationMessage.Topic, e.ApplicationMessage.QualityOfServiceLevel, frame, e));
            return Task.CompletedTask;
        };
        try
        {
            return (client, await mqtt.ConnectAsync(options));
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException e) when (e.InnerException is null)
        {
            return (client, new MqttClientConnectResult { ResultCode = MqttClientConnectResultCode.BadUserNameOrPassword, ReasonString = e.Message });
        }
    }

    /// <summary>Subscribes one topic; returns the code the server answered (granted QoS or a refusal).</summary>
    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string topic, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, qos).Build());
        return result.Items.Single().ResultCode;
    }

    public Task<MqttClientPublishResult> PublishAsync(string topic, object payload) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(payload, JsonSerializerOptions.Web)))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    /// <summary>The next delivery, or a failed test after <paramref name="within"/>.</summary>
    public async Task<MqttDelivery> ReceiveAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no MQTT delivery within {within ?? TimeSpan.FromSeconds(10)}");
        }
    }

    /// <summary>Deliveries until one whose frame is of <paramref name="type"/>.</summary>
    public async Task<MqttDelivery> ReceiveUntilAsync(string type, TimeSpan? within = null)
    {
        while (true)
        {
            var delivery = await ReceiveAsync(within);
            if (delivery.Type == type) return delivery;
        }
    }

    /// <summary>Whether anything arrives within <paramref name="quiet"/>.</summary>
    public async Task<MqttDelivery?> NothingWithinAsync(TimeSpan quiet)
    {
        try { return await ReceiveAsync(quiet); } catch (TimeoutException) { return null; }
    }

    public async ValueTask DisposeAsync()
    {
        if (client.IsConnected) await client.DisconnectAsync();
        client.Dispose();
    }

    private sealed class OpenStream(Stream stream) : IMqttClientStreamProvider
    {
        public Task<Stream> ConnectAsync(EndPoint brokerEndPoint, CancellationToken cancellationToken) => Task.FromResult(stream);
    }
}
