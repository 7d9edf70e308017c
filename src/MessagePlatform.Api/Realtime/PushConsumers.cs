using System.Text.Json;
using MassTransit;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.Contracts;
using MessagePlatform.Domain;
using Microsoft.Extensions.Caching.Memory;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Pushes a stored message to this node's connections of the session's members (for rooms: of
/// who joined it here). Each node has its own queue, so every node gets every message and pushes
/// to its own clients; clients dedupe on msgId, which covers the bus's at-least-once.
/// </summary>
public sealed class MessagePushConsumer(RecipientDirectory recipients, RoomPushBudget budget, TimeProvider clock)
    : IConsumer<MessagePublished>
{
    public async Task Consume(ConsumeContext<MessagePublished> context)
    {
        var m = context.Message;
        var (targets, room) = await recipients.ConnectionsAsync(m.TenantId, m.SessionId, context.CancellationToken);
        if (targets.Count == 0 || (room && !budget.Admits(m.TenantId, m.SessionId, m.Priority, m.SentAt))) return;
        var frame = ClientConnection.Frame(new
        {
            type = "message", sessionId = m.SessionId, msgId = m.MsgId, seq = m.Seq, from = m.From, msgType = m.Type,
            body = JsonDocument.Parse(m.BodyJson).RootElement, priority = m.Priority, sentAt = m.SentAt,
        });
        var now = clock.GetUtcNow();
        foreach (var connection in targets) connection.SendReliably(m.MsgId, frame, now);
    }
}

public sealed class RetractionPushConsumer(RecipientDirectory recipients) : IConsumer<RetractionPublished>
{
    public async Task Consume(ConsumeContext<RetractionPublished> context)
    {
        var r = context.Message;
        foreach (var connection in (await recipients.ConnectionsAsync(r.TenantId, r.SessionId, context.CancellationToken)).Connections)
            connection.Send(new { type = "retract", sessionId = r.SessionId, msgId = r.MsgId });
    }
}

/// <summary>Who on this node should see a session's news; membership is cached for a second.</summary>
public sealed class RecipientDirectory(LocalConnections connections, SessionStreams streams, IMemoryCache cache)
{
    public async Task<(IReadOnlyList<ClientConnection> Connections, bool Room)> ConnectionsAsync(
        string tenantId, string sessionId, CancellationToken ct)
    {
        if (connections.Count == 0) return ([], false);
        var session = await cache.GetOrCreateAsync($"push:{tenantId}:{sessionId}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(1);
            return (await streams.LoadAsync(tenantId, sessionId, ct)).Session;
        });
        if (session is null) return ([], false);
        return session.Type == SessionType.Room
            ? ([.. connections.InRoom(tenantId, sessionId)], true)
            : ([.. session.Members.SelectMany(user => connections.OfUser(tenantId, user))], false);
    }
}

/// <summary>The gateway's timer (the seeds' ack timing wheel, at half-second resolution).</summary>
public sealed class RetransmitTimer(LocalConnections connections, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = clock.GetUtcNow();
            foreach (var connection in connections.All) connection.Retransmit(now);
        }
    }
}
