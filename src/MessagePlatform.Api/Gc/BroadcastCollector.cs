using Marten;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Tenants;
using MessagePlatform.Domain;
using MessagePlatform.Projections.Broadcasts;
using Npgsql;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Gc;

/// <summary>
/// Applies each tenant's broadcast retention to its broadcast stream, like a session's: the head is
/// compacted (into a <see cref="BroadcastLog"/> snapshot) and the broadcasts' sync rows and receipts
/// go in the same transaction. The receipts know each broadcast's version and time, so they pick the cut.
/// </summary>
public sealed class BroadcastCollector(IDocumentStore store, TimeProvider clock, Platform.PlatformMeters meters, ILogger<BroadcastCollector> log)
{
    private static readonly string Receipts = Qualified(SendReceipts.Table);
    private const string Stream = BroadcastRules.Stream;

    public async Task<long> CollectAsync(long safeSequence, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        long removed = 0;
        foreach (var tenant in await query.Query<Tenant>().ToListAsync(ct))
            removed += await CollectTenantAsync(tenant, safeSequence, ct) ?? 0;
        return removed;
    }

    private async Task<long?> CollectTenantAsync(Tenant tenant, long safeSequence, CancellationToken ct)
    {
        var retention = Retention.Parse(tenant.BroadcastRetentionPolicy);
        if (retention.Kind == RetentionKind.Forever) return null;
        await using var session = store.LightweightSession(tenant.Id);
        await session.BeginTransactionAsync(ct);
        var db = session.Connection!;
        var locked = await db.Command($"select version from {EventStoreConfig.Schema}.mt_streams where tenant_id = $1 and id = $2 for update",
            tenant.Id, Stream).ScalarAsync<long?>(ct);
        if (locked is null) return null;
        var cut = retention.Kind == RetentionKind.Last
            ? await db.Command($"select seq from {Receipts} where tenant_id = $1 and session_id = $2 order by seq desc offset {retention.N} limit 1",
                tenant.Id, Stream).ScalarAsync<long?>(ct)
            : await db.Command($"select max(seq) from {Receipts} where tenant_id = $1 and session_id = $2 and sent_at < $3",
                tenant.Id, Stream, clock.GetUtcNow().AddDays(-retention.N)).ScalarAsync<long?>(ct);
        if (cut is not { } through) return null;
        var lastSequence = await db.Command(
            $"select max(seq_id) from {EventStoreConfig.Schema}.mt_events where tenant_id = $1 and stream_id = $2 and version <= $3",
            tenant.Id, Stream, through).ScalarAsync<long?>(ct);
        if (lastSequence > safeSequence) return null;
        var count = await db.Command($"select count(*) from {Receipts} where tenant_id = $1 and session_id = $2 and seq <= $3",
            tenant.Id, Stream, through).ScalarAsync<long>(ct);

        await session.Events.CompactStreamAsync<BroadcastLog>(Stream, x => x.Version = through);
        session.QueueSqlCommand(
            $"""
             delete from {Qualified(BroadcastsTable)} b using {Receipts} r
             where r.tenant_id = ? and r.session_id = ? and r.seq <= ? and b.tenant_id = r.tenant_id and b.msg_id = r.msg_id
             """, tenant.Id, Stream, through);
        session.QueueSqlCommand($"delete from {Receipts} where tenant_id = ? and session_id = ? and seq <= ?", tenant.Id, Stream, through);
        GcLog.Queue(session, tenant.Id, new GcRecord(Guid.NewGuid().ToString("N"), GcLog.Kinds.Broadcasts, Stream,
            tenant.BroadcastRetentionPolicy, null, through, count, "gc", null, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        meters.GcRemoved(GcLog.Kinds.Broadcasts, count);
        log.LogInformation("GC removed {Count} broadcasts of {TenantId} through version {Version}", count, tenant.Id, through);
        return count;
    }
}
