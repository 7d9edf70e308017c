using MassTransit;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.Contracts;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Typing;

/// <summary>
/// Tells this node's connections of the named users (a room: those that joined it here, the typist left
/// out) that someone is typing: once, unacked, never retransmitted. A late notice is stale and dropped;
/// in a room it counts as a `low` push against the room's budget, so a hot room sheds it first.
/// </summary>
public sealed class TypingPushConsumer(
    LocalConnections connections, RoomPushBudget roomBudget, TimeProvider clock, IOptions<RealtimeOptions> options,
    Platform.PlatformMeters meters) : IConsumer<TypingPush>
{
    public Task Consume(ConsumeContext<TypingPush> context)
    {
        var push = context.Message;
        if (PushShedding.For(push.At, clock.GetUtcNow(), options.Value) != Shedding.None) return Task.CompletedTask;
        var here = push.Room
            ? connections.InRoom(push.TenantId, push.SessionId).Where(c => c.UserId != push.UserId).ToList()
            : push.UserIds.SelectMany(u => connections.OfUser(push.TenantId, u)).ToList();
        if (here.Count == 0) return Task.CompletedTask;
        if (push.Room && !roomBudget.Admits(push.TenantId, push.SessionId, "low", push.At)) return Task.CompletedTask;
        var frame = OutboundFrame.Of(new TypingFrame(push.SessionId, push.UserId));
        foreach (var connection in here) connection.SendOnce(frame);
        meters.Frames("typing", here.Count);
        return Task.CompletedTask;
    }
}
