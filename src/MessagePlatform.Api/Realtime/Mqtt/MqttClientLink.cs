using System.Collections.Concurrent;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Realtime.Gateway;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// One MQTT client as a gateway connection: the <see cref="ClientConnection"/> keeps the queue,
/// acks and retransmits; this transport turns each frame into PUBLISH packets on the topics the
/// client subscribed, straight into its own MQTTnet session (never through topic routing, which
/// knows no tenants), and turns its PUBACKs back into acks.
/// </summary>
public sealed class MqttClientLink : IFrameTransport
{
    private readonly MqttSessionStatus _session;
    private readonly ConcurrentDictionary<string, MqttQualityOfServiceLevel> _topics = new();
    private readonly ConcurrentDictionary<string, bool> _rooms = new();
    private readonly ConcurrentDictionary<ushort, string> _inFlight = new();
    private readonly CancellationTokenSource _closing = new();
    private Task _writer = Task.CompletedTask;

    public MqttClientLink(string clientId, Caller user, MqttSessionStatus session, DateTimeOffset tokenIssuedAt)
    {
        ClientId = clientId;
        User = user;
        _session = session;
        Connection = new ClientConnection(user.TenantId, user.UserId!, this) { TokenIssuedAt = tokenIssuedAt };
    }

    public string Name => MqttGateway.Transport;
    public string ClientId { get; }
    public Caller User { get; }
    public ClientConnection Connection { get; }

    public void Start() => _writer = Connection.WriteLoopAsync(_closing.Token);

    public async Task StopAsync()
    {
        Connection.Complete();
        await _closing.CancelAsync();
        try { await _writer; } catch (OperationCanceledException) { }
        _closing.Dispose();
    }

    public void Subscribed(string topic, MqttQualityOfServiceLevel granted, string? roomId)
    {
        // A room stays known after an unsubscribe, so a late retransmit of its frame never lands on single/.
        if (roomId is not null) _rooms[roomId] = true;
        _topics[topic] = granted;
    }

    public void Unsubscribed(string topic) => _topics.TryRemove(topic, out _);

    public void Acked(ushort packetId)
    {
        if (_inFlight.TryRemove(packetId, out var msgId)) Connection.Ack(msgId);
    }

    public ValueTask<bool> WriteAsync(OutboundFrame frame, CancellationToken ct)
    {
        var wanted = frame.Frame.AtMostOnce ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        var ackId = frame.Frame.AckId;
        var awaitingPuback = false;
        foreach (var topic in TopicsOf(frame.Frame))
        {
            if (!_topics.TryGetValue(topic, out var granted)) continue;
            var qos = granted < wanted ? granted : wanted;
            var message = new MqttApplicationMessage
            {
                Topic = topic, PayloadSegment = frame.Bytes, QualityOfServiceLevel = qos, ContentType = "application/json",
            };
            try
            {
                if (!_session.TryEnqueueApplicationMessage(message, out var enqueued)) return ValueTask.FromResult(false);
                if (qos == MqttQualityOfServiceLevel.AtLeastOnce && ackId is not null)
                {
                    _inFlight[enqueued.PacketIdentifier] = ackId;
                    awaitingPuback = true;
                }
            }
            catch (ObjectDisposedException)
            {
                // The client just went away; its connection is being removed.
                return ValueTask.FromResult(true);
            }
        }
        // Nothing will PUBACK this frame (QoS 0, or none of its topics subscribed): settle it now
        // rather than retransmit it to a client that asked not to get it that way.
        if (!awaitingPuback && ackId is not null) Connection.Ack(ackId);
        return ValueTask.FromResult(true);
    }

    /// <summary>API.md's mapping of frames to topics; the caller keeps only the subscribed ones.</summary>
    private IEnumerable<string> TopicsOf(ServerFrame frame)
    {
        switch (frame)
        {
            case MessageFrame { SessionId: var sessionId }:
                return InSession(sessionId);
            case RetractFrame { SessionId: var sessionId }:
                return InSession(sessionId);
            case ISessionFrame { SessionId: var sessionId }:
                return InSession(sessionId);
            case BroadcastFrame { Tags.Length: 0 }:
                return [MqttTopic.Global];
            case BroadcastFrame broadcast:
                return broadcast.Tags.Select(MqttTopic.Tag);
            default:
                // sync hints, errors and send answers are this user's own.
                return [MqttTopic.Single(User.UserId!)];
        }
    }

    private IEnumerable<string> InSession(string sessionId)
    {
        if (!_rooms.ContainsKey(sessionId)) yield return MqttTopic.Single(User.UserId!);
        yield return MqttTopic.Group(sessionId);
    }
}
