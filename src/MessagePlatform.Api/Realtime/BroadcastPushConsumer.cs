using System.Text.Json;
using MassTransit;
using MessagePlatform.Api.Broadcasts;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.Contracts;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Pushes a broadcast to this node's users of the tenant, or those holding one of its tags now.
/// Online-only and low priority broadcasts go once, unacked (QoS 0); the others are acked and
/// retried like messages. Late, low-priority ones are dropped first; later still, stored ones
/// become a `sync` hint (sync reads broadcasts) and online-only ones are dropped.
/// </summary>
public sealed class BroadcastPushConsumer(
    LocalConnections connections, UserTags tags, TimeProvider clock, IOptions<RealtimeOptions> options, Platform.PlatformMeters meters)
    : IConsumer<BroadcastPush>
{
    public async Task Consume(ConsumeContext<BroadcastPush> context)
    {
        var b = context.Message.Broadcast;
        var here = connections.All.Where(c => c.TenantId == b.TenantId).ToList();
        if (here.Count == 0) return;
        if (b.Tags.Length > 0)
        {
            var holders = await tags.HoldersAsync(b.TenantId, b.Tags, [.. here.Select(c => c.UserId).Distinct()], context.CancellationToken);
            here = [.. here.Where(c => holders.Contains(c.UserId))];
        }
        var now = clock.GetUtcNow();
        var atMostOnce = b.OnlineOnly || b.Priority == "low";
        switch (PushShedding.For(b.CommittedAt, now, options.Value))
        {
            case Shedding.LowPriority when b.Priority == "low":
            case Shedding.SyncInstead when b.OnlineOnly || b.Priority == "low":
                meters.Shed(Shedding.LowPriority, here.Count);
                return;
            case Shedding.SyncInstead:
                foreach (var connection in here) connection.TellToSync();
                meters.Shed(Shedding.SyncInstead, here.Count);
                return;
        }
        var frame = OutboundFrame.Of(new BroadcastFrame(b.MsgId, b.Type, JsonDocument.Parse(b.BodyJson).RootElement, b.Tags,
            b.Priority, b.OnlineOnly, b.SentAt));
        foreach (var connection in here)
        {
            if (atMostOnce) connection.SendOnce(frame);
            else connection.SendReliably(frame, now);
        }
        meters.Frames("broadcast", here.Count);
    }
}
