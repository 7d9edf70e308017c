using System.Text.Json;
using MassTransit;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.Contracts;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Pushes a node's share of a session's batch to its own connections, in order: message frames
/// (acked, retried) and retract frames, each serialized once. A batch that arrives late is shed
/// (<see cref="PushShedding"/>): low-priority room frames first, then a `sync` hint instead of frames.
/// </summary>
public sealed class SessionPushConsumer(
    LocalConnections connections, RoomPushBudget budget, TimeProvider clock, IOptions<RealtimeOptions> options,
    Platform.PlatformMeters meters, ILogger<SessionPushConsumer> log)
    : IConsumer<SessionPushes>
{
    public Task Consume(ConsumeContext<SessionPushes> context)
    {
        var batch = context.Message;
        var now = clock.GetUtcNow();
        var shedding = PushShedding.For(batch.CommittedAt, now, options.Value);
        if (shedding == Shedding.SyncInstead)
        {
            TellToSync(batch, now);
            return Task.CompletedTask;
        }
        foreach (var push in batch.Pushes)
        {
            var targets = batch.Room
                ? connections.InRoom(batch.TenantId, batch.SessionId).ToList()
                : [.. push.UserIds.SelectMany(user => connections.OfUser(batch.TenantId, user))];
            switch (push)
            {
                case MessagePush { Message: var m }:
                    if (batch.Room && m.Priority == "low" && shedding == Shedding.LowPriority)
                    {
                        meters.Shed(Shedding.LowPriority, targets.Count);
                        continue;
                    }
                    if (batch.Room && !budget.Admits(batch.TenantId, batch.SessionId, m.Priority, m.SentAt)) continue;
                    var frame = OutboundFrame.Of(new MessageFrame(batch.SessionId, m.MsgId, m.Seq, m.From, m.Type,
                        JsonDocument.Parse(m.BodyJson).RootElement, m.Priority, m.SentAt, m.ReplyTo, m.Mentions));
                    foreach (var connection in targets) connection.SendReliably(frame, now);
                    meters.Frames("message", targets.Count);
                    break;
                case RetractionPush { Retraction: var r }:
                    var retract = OutboundFrame.Of(new RetractFrame(batch.SessionId, r.MsgId));
                    foreach (var connection in targets) connection.SendOnce(retract);
                    meters.Frames("retract", targets.Count);
                    break;
                case ChatPush or ReactionCountsPush:
                    var chat = ChatFrames.Of(batch.SessionId, push);
                    foreach (var connection in targets) connection.SendOnce(chat);
                    meters.Frames(((ChatFrame)chat.Frame).Kind, targets.Count);
                    break;
            }
        }
        return Task.CompletedTask;
    }

    private void TellToSync(SessionPushes batch, DateTimeOffset now)
    {
        var targets = batch.Room
            ? connections.InRoom(batch.TenantId, batch.SessionId).ToList()
            : [.. batch.Pushes.SelectMany(p => p.UserIds).Distinct().SelectMany(user => connections.OfUser(batch.TenantId, user))];
        foreach (var connection in targets) connection.TellToSync();
        meters.Shed(Shedding.SyncInstead, targets.Count);
        log.LogWarning("Pushes of {SessionId} of {TenantId} reached node {NodeId} {LateMs} ms after their commit: {Connections} connections told to sync instead",
            batch.SessionId, batch.TenantId, batch.NodeId, (now - batch.CommittedAt).TotalMilliseconds, targets.Count);
    }
}
