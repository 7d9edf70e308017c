using System.Buffers;
using System.Diagnostics;
using System.Text;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MessagePlatform.Bench;

/// <summary>
/// One end user's MQTT connection over TCP (MQTTnet's client), as API.md "MQTT" has a real client do
/// it: username = userId, password = a user token, subscribed at QoS 1 to its own `single/` topic and
/// to `global`; joining a room is subscribing to its `group/` topic. MQTTnet PUBACKs a QoS 1 PUBLISH
/// once the handler below returns, and that PUBACK is the gateway's ack; QoS 0 ones (online-only
/// broadcasts) want none. Frames are stamped on arrival, before anything else is done with them.
/// </summary>
public sealed class MqttOnlineClient : IOnlineClient
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    private readonly IMqttClient _client;
    private FrameLog.Recorder? _recording;
    private long _frames;

    private MqttOnlineClient(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += ReceivedAsync;
    }

    public ClientKind Kind => ClientKind.Mqtt;

    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Connects and subscribes; the SUBACK says the gateway has registered the client and will push to it.</summary>
    public static async Task<MqttOnlineClient> ConnectAsync(string host, int port, UserToken user, CancellationToken ct)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithCredentials(user.UserId, user.Token)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanSession()
            // The node's cap (Mqtt:MaxKeepAliveSeconds), so an idle fleet pings rarely. Not 0: the node lowers 0 to
            // its cap and says so in CONNACK, and MQTTnet's client, asked for 0, then pings with a zero timeout and drops.
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(120))
            .WithTimeout(ReplyTimeout)
            .Build();
        var client = new MqttOnlineClient(new MqttClientFactory().CreateMqttClient());
        try
        {
            await client._client.ConnectAsync(options, ct);
            await client.SubscribeAsync([$"single/{user.UserId}", "global"], ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public Task JoinAsync(string room, CancellationToken ct) => SubscribeAsync([$"group/{room}"], ct);

    /// <summary>From now on, message, broadcast and sync frames count toward <paramref name="log"/>.</summary>
    public void RecordInto(FrameLog log) => Volatile.Write(ref _recording, log.RecorderForOneClient());

    private async Task SubscribeAsync(string[] topics, CancellationToken ct)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var topic in topics) subscribe.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var result = await _client.SubscribeAsync(subscribe.Build(), ct);
        // A refused filter would leave the client silently out of the fleet's pushes.
        foreach (var item in result.Items)
            if (item.ResultCode != MqttClientSubscribeResultCode.GrantedQoS1)
                throw new OperationFailedException($"SUBSCRIBE {item.TopicFilter.Topic} refused", $"{item.ResultCode} {result.ReasonString}");
    }

    // MQTTnet hands one client's PUBLISH packets over one at a time, so the recorder needs no lock.
    private Task ReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var arrivedAt = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _frames);
        var payload = e.ApplicationMessage.Payload;
        var frame = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        var (type, msgId) = WireFrame.Read(frame);
        var recording = Volatile.Read(ref _recording);
        switch (type)
        {
            case "message" or "broadcast" when msgId is not null:
                recording?.Add(msgId, arrivedAt);
                break;
            case "sync":
                recording?.Log.Sync();
                break;
            default:
                recording?.Log.Other(Encoding.UTF8.GetString(frame));
                break;
        }
        return Task.CompletedTask;
    }

    /// <summary>Sends DISCONNECT (the gateway sees a normal disconnect, not a lost client), within a few seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone or slow: the socket is torn down below either way.
        }
        _client.Dispose();
    }
}
