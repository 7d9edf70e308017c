using JasperFx.Events;
using Marten.Events.Aggregation;
using MessagePlatform.Domain;

namespace MessagePlatform.Projections.Broadcasts;

/// <summary>A tenant's broadcast stream as one small document: how many it holds, and the last one's time.</summary>
public sealed record BroadcastLog(string Id, long Count, DateTimeOffset? LastSentAt);

/// <summary>
/// Inline, so the broadcast stream has an aggregate: GC trims the stream's head with Marten's
/// CompactStreamAsync, which folds the removed events into a snapshot of this type.
/// </summary>
public sealed partial class BroadcastLogProjection : SingleStreamProjection<BroadcastLog, string>
{
    public BroadcastLogProjection()
    {
        IncludeType<BroadcastSent>();
        IncludeType<Compacted<BroadcastLog>>();
    }

    public override BroadcastLog? Evolve(BroadcastLog? snapshot, string id, IEvent e) => e.Data switch
    {
        Compacted<BroadcastLog> compacted => compacted.Snapshot,
        BroadcastSent b => new BroadcastLog(id, (snapshot?.Count ?? 0) + 1, b.SentAt),
        _ => snapshot,
    };
}
