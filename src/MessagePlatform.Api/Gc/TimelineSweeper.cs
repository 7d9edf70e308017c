using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Sync;
using MessagePlatform.Api.Tenants;
using MessagePlatform.Domain;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Gc;

/// <summary>
/// Removes timeline entries past the tenant's timeline retention, which sync already hides, and the
/// whole timelines of users who have not synced for that long. In batches, so no transaction
/// holds many rows; each batch is recorded with its count.
/// </summary>
public sealed class TimelineSweeper(IDocumentStore store, TimeProvider clock, Platform.PlatformMeters meters, ILogger<TimelineSweeper> log)
{
    public const int BatchRows = 10_000;

    private static readonly string Chain = Qualified(UserChainTable);
    private static readonly string Feed = Qualified(ReadFeedTable);
    private static readonly string Messages = Qualified(SessionChainTable);

    // Each statement deletes at most one batch; ctid lets the delete use the rows the select found.
    private static readonly string[] Sweeps =
    [
        $"""
         delete from {Chain} where ctid in (
           select u.ctid from {Chain} u join {Messages} c on c.tenant_id = u.tenant_id and c.session_id = u.session_id and c.seq = u.seq
           where u.tenant_id = $1 and c.sent_at < $2 limit {BatchRows})
         """,
        $"""
         delete from {Feed} where ctid in (
           select f.ctid from {Feed} f join {Messages} c on c.tenant_id = f.tenant_id and c.session_id = f.session_id and c.seq = f.seq
           where f.tenant_id = $1 and c.sent_at < $2 limit {BatchRows})
         """,
        // Chat items (edits, reactions, pins, read marks) point at their own version, not at a message: aged by their own time.
        $"""
         delete from {Chain} where ctid in (
           select u.ctid from {Chain} u join {Qualified(ChatItemsTable)} i on i.tenant_id = u.tenant_id and i.session_id = u.session_id and i.version = u.seq
           where u.tenant_id = $1 and u.kind not in ('message', 'retract') and i.at < $2 limit {BatchRows})
         """,
        $"""
         delete from {Feed} where ctid in (
           select f.ctid from {Feed} f join {Qualified(ChatItemsTable)} i on i.tenant_id = f.tenant_id and i.session_id = f.session_id and i.version = f.seq
           where f.tenant_id = $1 and f.kind not in ('message', 'retract') and i.at < $2 limit {BatchRows})
         """,
        $"""
         delete from {Chain} where ctid in (
           select u.ctid from {Chain} u join {Qualified(SyncVisits.Table)} v on v.tenant_id = u.tenant_id and v.user_id = u.user_id
           where u.tenant_id = $1 and v.synced_at < $2 limit {BatchRows})
         """,
    ];

    public async Task<long> SweepAsync(CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var tenants = await query.Query<Tenant>().ToListAsync(ct);
        long total = 0;
        foreach (var tenant in tenants) total += await SweepTenantAsync(tenant, ct);
        return total;
    }

    private async Task<long> SweepTenantAsync(Tenant tenant, CancellationToken ct)
    {
        var cutoff = GcRules.TimelineCutoff(clock.GetUtcNow(), tenant.TimelineRetentionDays);
        long removed = 0;
        foreach (var sql in Sweeps)
        {
            while (true)
            {
                await using var session = store.LightweightSession(tenant.Id);
                await session.BeginTransactionAsync(ct);
                var count = await session.Connection!.Command(sql, tenant.Id, cutoff).ExecuteNonQueryAsync(ct);
                if (count == 0) break;
                GcLog.Queue(session, tenant.Id, new GcRecord(Guid.NewGuid().ToString("N"), GcLog.Kinds.Timeline, null,
                    $"timeline:{tenant.TimelineRetentionDays}d", null, null, count, "gc", null, clock.GetUtcNow()));
                await session.SaveChangesAsync(ct);
                meters.GcRemoved(GcLog.Kinds.Timeline, count);
                removed += count;
                log.LogInformation("GC swept {Count} timeline entries of {TenantId} older than {Cutoff} ({Removed} so far)",
                    count, tenant.Id, cutoff, removed);
                if (count < BatchRows) break;
            }
        }
        return removed;
    }
}
