using System.Collections.Concurrent;
using MessagePlatform.Api.Realtime.Gateway;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// The MQTT side of the gateway (API.md "MQTT"): admits CONNECT through <see cref="MqttSignIn"/>, enforces
/// the topic rules at SUBSCRIBE and PUBLISH, and keeps one <see cref="MqttClientLink"/> per client
/// in <see cref="LocalConnections"/> and the cluster's <see cref="ConnectionRegistry"/>, so the
/// fan-out and the retransmit timer treat it like a WebSocket client.
/// </summary>
public sealed class MqttGateway(
    MqttServer server, MqttSignIn signIn, InboundFrameRate frameRate, LocalConnections connections, ConnectionRegistry registry, TopicRules rules, MqttSends sends, ILogger<MqttGateway> log) : IHostedService
{
    public const string Transport = "mqtt";
    private readonly ConcurrentDictionary<string, MqttClientLink> _links = new();

    // Handlers are attached before MQTTnet's hosted server starts, which it does once the host has started.
    public Task StartAsync(CancellationToken cancellationToken)
    {
        server.ValidatingConnectionAsync += signIn.ValidateAsync;
        server.ClientConnectedAsync += ConnectedAsync;
        server.ClientDisconnectedAsync += DisconnectedAsync;
        server.InterceptingSubscriptionAsync += SubscribingAsync;
        server.ClientUnsubscribedTopicAsync += UnsubscribedAsync;
        server.InterceptingPublishAsync += PublishingAsync;
        server.ClientAcknowledgedPublishPacketAsync += AckedAsync;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ConnectedAsync(ClientConnectedEventArgs e)
    {
        try
        {
            var door = (DoorChannel)e.SessionItems[MqttSignIn.DoorItem]!;
            var user = door.User!;
            if (!MqttClientIds.Belongs(e.ClientId, user.TenantId, user.UserId!)) throw new InvalidOperationException("Client id not scoped to its user.");
            var link = new MqttClientLink(e.ClientId, user, await server.GetSessionAsync(e.ClientId), door.TokenIssuedAt);
            if (_links.TryRemove(e.ClientId, out var previous)) await DropAsync(previous);
            _links[e.ClientId] = link;
            connections.Add(link.Connection);
            link.Start();
            var clientId = e.ClientId;
            link.Connection.Closing.Register(() => _ = CloseAsync(clientId, link));
            await registry.ConnectedAsync(link.Connection.Id, user.TenantId, user.UserId!, Transport, CancellationToken.None);
            log.LogInformation("User {UserId} of {TenantId} connected over MQTT as {ClientId}", user.UserId, user.TenantId, e.ClientId);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "MQTT client {ClientId} could not be registered", e.ClientId);
            await server.DisconnectClientAsync(e.ClientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.UnspecifiedError });
        }
    }

    /// <summary>The gateway closes a connection (its token was revoked): MQTTnet disconnects it, and the disconnect drops the link.</summary>
    private async Task CloseAsync(string clientId, MqttClientLink link)
    {
        try
        {
            await server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions
            {
                ReasonCode = MqttDisconnectReasonCode.NotAuthorized, ReasonString = "Token revoked",
            });
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // Already gone.
        }
        log.LogInformation("MQTT client {ClientId} of {UserId} of {TenantId} closed: token revoked", clientId, link.User.UserId, link.User.TenantId);
    }

    private async Task DisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        if (!_links.TryRemove(e.ClientId, out var link)) return;
        try
        {
            await DropAsync(link);
            log.LogInformation("User {UserId} of {TenantId} disconnected from MQTT ({DisconnectType})",
                link.User.UserId, link.User.TenantId, e.DisconnectType);
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "MQTT client {ClientId} of {UserId} of {TenantId} was not cleanly removed", e.ClientId, link.User.UserId, link.User.TenantId);
        }
    }

    private async Task DropAsync(MqttClientLink link)
    {
        connections.Remove(link.Connection);
        await registry.DisconnectedAsync(link.Connection.Id);
        await link.StopAsync();
    }

    private async Task SubscribingAsync(InterceptingSubscriptionEventArgs e)
    {
        if (!_links.TryGetValue(e.ClientId, out var link))
        {
            e.Response.ReasonCode = MqttSubscribeReasonCode.UnspecifiedError;
            return;
        }
        var filter = e.TopicFilter.Topic;
        if (!frameRate.Admits(link.Connection.Id))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.QuotaExceeded;
            return;
        }
        SubscribeVerdict verdict;
        try
        {
            verdict = await rules.MaySubscribeAsync(link.User, filter, e.CancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The rules read the database; a failure there refuses this filter instead of dropping the client.
            log.LogWarning(ex, "MQTT subscription of {UserId} of {TenantId} to {Topic} could not be checked", link.User.UserId, link.User.TenantId, filter);
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.UnspecifiedError;
            return;
        }
        if (!verdict.Granted)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            e.ReasonString = verdict.Refusal;
            log.LogInformation("MQTT subscription of {UserId} of {TenantId} to {Topic} refused", link.User.UserId, link.User.TenantId, filter);
            return;
        }
        // Pushes are at least once at best: a QoS 2 request is granted QoS 1.
        var granted = e.TopicFilter.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce
            ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        e.TopicFilter.QualityOfServiceLevel = granted;
        e.Response.ReasonCode = (MqttSubscribeReasonCode)(int)granted;
        link.Subscribed(filter, granted, verdict.RoomId);
        // Subscribing to a room's group topic is joining it, as the WebSocket `join` frame.
        if (verdict.RoomId is { } room) connections.Join(link.Connection, room);
    }

    // After the fact and synchronous: MQTTnet calls its unsubscribe interceptor under a lock that must not span an await.
    private Task UnsubscribedAsync(ClientUnsubscribedTopicEventArgs e)
    {
        if (!_links.TryGetValue(e.ClientId, out var link)) return Task.CompletedTask;
        link.Unsubscribed(e.TopicFilter);
        var topic = MqttTopic.Parse(e.TopicFilter);
        if (topic.Kind == TopicKind.Group && link.Connection.Rooms.ContainsKey(topic.Value)) connections.Leave(link.Connection, topic.Value);
        return Task.CompletedTask;
    }

    private Task PublishingAsync(InterceptingPublishEventArgs e)
    {
        if (_links.TryGetValue(e.ClientId, out var link))
            return frameRate.Admits(link.Connection.Id) ? sends.PublishedAsync(link, e) : sends.RefuseOverRate(link, e);
        e.ProcessPublish = false;
        e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
        return Task.CompletedTask;
    }

    private Task AckedAsync(ClientAcknowledgedPublishPacketEventArgs e)
    {
        if (_links.TryGetValue(e.ClientId, out var link)) link.Acked(e.PublishPacket.PacketIdentifier);
        return Task.CompletedTask;
    }
}
