using System.Text.Json;
using MassTransit;
using MessagePlatform.Api.Broadcasts;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.Contracts;
using MessagePlatform.Domain;
using Microsoft.Extensions.Caching.Memory;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Fan-out (the seeds' push aggregation): for each published message, finds in the connection
/// registry the gateway nodes that hold its recipients and sends each node one batch. Runs on one
/// node at a time (single active consumer) and one message at a time, so pushes keep their order.
/// </summary>
public sealed class FanOutConsumer(ConnectionRegistry registry, SessionStreams streams, IMemoryCache cache, Platform.PlatformMeters meters)
    : IConsumer<MessagePublished>, IConsumer<RetractionPublished>, IConsumer<BroadcastPublished>
{
    /// <summary>A broadcast may reach anyone online: every live node gets it and picks its own targets.</summary>
    public async Task Consume(ConsumeContext<BroadcastPublished> context)
    {
        var broadcast = context.Message;
        foreach (var node in await registry.LiveNodesAsync(context.CancellationToken))
        {
            var endpoint = await context.GetSendEndpoint(RealtimeConfig.NodeQueueAddress(node));
            await endpoint.Send(new PushBatch(node, broadcast.TenantId, Domain.BroadcastRules.Stream, false, [], null, null, broadcast),
                context.CancellationToken);
        }
    }

    public Task Consume(ConsumeContext<MessagePublished> context) =>
        FanOutAsync(context, context.Message.TenantId, context.Message.SessionId, context.Message, null);

    public Task Consume(ConsumeContext<RetractionPublished> context) =>
        FanOutAsync(context, context.Message.TenantId, context.Message.SessionId, null, context.Message);

    private async Task FanOutAsync(ConsumeContext context, string tenantId, string sessionId,
        MessagePublished? message, RetractionPublished? retraction)
    {
        var session = await cache.GetOrCreateAsync($"fanout:{tenantId}:{sessionId}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(1);
            return (await streams.LoadAsync(tenantId, sessionId, context.CancellationToken)).Session;
        });
        if (session is null) return;
        var room = session.Type == SessionType.Room;
        var nodes = room
            ? (await registry.LiveNodesAsync(context.CancellationToken)).ToDictionary(n => n, _ => Array.Empty<string>())
            : await registry.NodesOfAsync(tenantId, [.. session.Members], context.CancellationToken);
        foreach (var (node, users) in nodes)
        {
            var endpoint = await context.GetSendEndpoint(RealtimeConfig.NodeQueueAddress(node));
            meters.FanOutBatch(users.Length);
            await endpoint.Send(new PushBatch(node, tenantId, sessionId, room, users, message, retraction), context.CancellationToken);
        }
    }
}

/// <summary>Pushes a node's batch to its own connections: message frames (acked, retried) and retract frames.</summary>
public sealed class PushBatchConsumer(
    LocalConnections connections, RoomPushBudget budget, UserTags tags, TimeProvider clock, Platform.PlatformMeters meters)
    : IConsumer<PushBatch>
{
    public async Task Consume(ConsumeContext<PushBatch> context)
    {
        var batch = context.Message;
        if (batch.Broadcast is { } broadcast)
        {
            await PushBroadcastAsync(broadcast, context.CancellationToken);
            return;
        }
        var targets = (batch.Room
            ? connections.InRoom(batch.TenantId, batch.SessionId)
            : batch.UserIds.SelectMany(user => connections.OfUser(batch.TenantId, user))).ToList();
        if (batch.Message is { } m)
        {
            if (batch.Room && !budget.Admits(batch.TenantId, batch.SessionId, m.Priority, m.SentAt)) return;
            var frame = ClientConnection.Frame(new
            {
                type = "message", sessionId = m.SessionId, msgId = m.MsgId, seq = m.Seq, from = m.From, msgType = m.Type,
                body = JsonDocument.Parse(m.BodyJson).RootElement, priority = m.Priority, sentAt = m.SentAt,
            });
            var now = clock.GetUtcNow();
            foreach (var connection in targets) connection.SendReliably(m.MsgId, frame, now);
            meters.Frames("message", targets.Count);
        }
        if (batch.Retraction is { } r)
        {
            foreach (var connection in targets) connection.Send(new { type = "retract", sessionId = r.SessionId, msgId = r.MsgId });
            meters.Frames("retract", targets.Count);
        }
    }

    /// <summary>
    /// To this node's users of the tenant, or those holding one of its tags now. Online-only and low
    /// priority broadcasts go once, unacked (QoS 0); the others are acked and retried like messages.
    /// </summary>
    private async Task PushBroadcastAsync(BroadcastPublished b, CancellationToken ct)
    {
        var here = connections.All.Where(c => c.TenantId == b.TenantId).ToList();
        if (here.Count == 0) return;
        if (b.Tags.Length > 0)
        {
            var holders = await tags.HoldersAsync(b.TenantId, b.Tags, [.. here.Select(c => c.UserId).Distinct()], ct);
            here = [.. here.Where(c => holders.Contains(c.UserId))];
        }
        var frame = ClientConnection.Frame(new
        {
            type = "broadcast", msgId = b.MsgId, msgType = b.Type, body = JsonDocument.Parse(b.BodyJson).RootElement, tags = b.Tags,
            priority = b.Priority, onlineOnly = b.OnlineOnly, sentAt = b.SentAt,
        });
        var now = clock.GetUtcNow();
        foreach (var connection in here)
        {
            if (b.OnlineOnly || b.Priority == "low") connection.SendOnce(frame);
            else connection.SendReliably(b.MsgId, frame, now);
        }
        meters.Frames("broadcast", here.Count);
    }
}

/// <summary>The gateway's timer (the seeds' ack timing wheel, at half-second resolution).</summary>
public sealed class RetransmitTimer(LocalConnections connections, TimeProvider clock, Platform.PlatformMeters meters) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = clock.GetUtcNow();
            var (resent, syncs) = (0, 0);
            foreach (var connection in connections.All)
            {
                var (again, synced) = connection.Retransmit(now);
                resent += again;
                if (synced) syncs++;
            }
            meters.Retransmitted(resent, syncs);
        }
    }
}
