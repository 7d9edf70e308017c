using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Npgsql;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Gc;

/// <summary>
/// Applies one session's policy: trims its head (last:N, days:N) or removes it whole (onClose
/// delete), events and derived rows in one transaction, with the record of what went.
/// </summary>
public sealed class HistoryCollector(IDocumentStore store, TimeProvider clock, Microsoft.Extensions.Options.IOptions<GcOptions> options,
    Platform.PlatformMeters meters, ILogger<HistoryCollector> log)
{
    /// <summary>At most this many messages leave one stream per transaction; a long head takes several steps.</summary>
    public const int BatchMessages = 5_000;

    private static readonly string Chain = Qualified(SessionChainTable);

    /// <summary>
    /// Collects one step of <paramref name="sessionId"/>; returns what it removed, or null. Nothing past
    /// <paramref name="safeSequence"/> is removed: every projection and subscription has seen those
    /// events, so no timeline, push or webhook misses a message because GC was quicker.
    /// </summary>
    public async Task<GcRecord?> CollectAsync(string tenantId, string sessionId, long safeSequence, CancellationToken ct)
    {
        // A tenant's session: Marten's own operations below (load, compact, tombstone) stay in this tenant.
        await using var session = store.LightweightSession(tenantId);
        await session.BeginTransactionAsync(ct);
        var db = session.Connection!;
        // A stuck transaction holding this session's rows fails this session alone (the pass records it
        // and goes on), instead of holding the whole pass.
        await db.Command($"set local lock_timeout = '{options.Value.StepLockTimeoutSeconds}s'").ExecuteNonQueryAsync(ct);
        // The stream row's lock orders this against a legal hold or an append in flight: either
        // committed before, and is seen below, or waits for this transaction.
        var locked = await db.Command($"select version from {EventStoreConfig.Schema}.mt_streams where tenant_id = $1 and id = $2 for update",
            tenantId, sessionId).ScalarAsync<long?>(ct);
        if (locked is null || await session.LoadAsync<Session>(sessionId, ct) is not { } state)
        {
            // No stream (removed by other means): nothing will ever be due.
            GcDue.QueueRemove(session, tenantId, sessionId);
            await session.SaveChangesAsync(ct);
            return null;
        }
        var now = clock.GetUtcNow();
        var plan = GcRules.Decide(state, now);

        var (kind, cutoff) = plan switch
        {
            GcPlan.DeleteSession => (GcLog.Kinds.OnClose, long.MaxValue),
            GcPlan.KeepLast keep => (GcLog.Kinds.Retention, await StepAsync(db, tenantId, sessionId,
                $"select seq from {Chain} where tenant_id = $1 and session_id = $2 order by seq desc offset {keep.Count} limit 1", null, ct)),
            GcPlan.DropSentBefore drop => (GcLog.Kinds.Retention, await StepAsync(db, tenantId, sessionId,
                $"select max(seq) from {Chain} where tenant_id = $1 and session_id = $2 and sent_at < $3", drop.Cutoff, ct)),
            _ => (null, (long?)null),
        };
        if (kind is null || cutoff is not { } through)
        {
            // Nothing to remove yet: the schedule says when there will be.
            await GcDue.QueueRewriteAsync(session, tenantId, state, 0, now, ct);
            await session.SaveChangesAsync(ct);
            return null;
        }

        var lastSequence = await db.Command(
            $"select max(seq_id) from {EventStoreConfig.Schema}.mt_events where tenant_id = $1 and stream_id = $2 and version <= $3",
            tenantId, sessionId, through).ScalarAsync<long?>(ct);
        // Not every reader has passed these events yet: the session stays due for the next pass.
        if (lastSequence > safeSequence) return null;
        var (fromSeq, toSeq, count) = await RangeAsync(db, tenantId, sessionId, through, ct);

        if (plan is GcPlan.DeleteSession)
        {
            // Hard delete, in this unit of work: ArchiveStream would keep the events, which onClose
            // "delete" promises to remove; Clean.DeleteSingleEventStreamAsync runs outside it.
            session.Events.TombstoneStream(sessionId);
            session.Delete<Session>(sessionId);
            DerivedRows.RemoveSession(session, tenantId, sessionId);
            GcDue.QueueRemove(session, tenantId, sessionId);
        }
        else
        {
            await GcDue.QueueRewriteAsync(session, tenantId, state, through, now, ct);
            if (count == 0)
            {
                await session.SaveChangesAsync(ct);
                return null;
            }
            // Compaction keeps the session's state (members, policy, hold) as a snapshot at the cut and
            // the later events with their versions, so seqs stay what clients know them as.
            await session.Events.CompactStreamAsync<Session>(sessionId, x => x.Version = through);
            DerivedRows.RemoveThrough(session, tenantId, sessionId, through);
        }
        var record = new GcRecord(Guid.NewGuid().ToString("N"), kind, sessionId, PolicyText(state), fromSeq, toSeq, count, "gc",
            null, clock.GetUtcNow());
        GcLog.Queue(session, tenantId, record);
        await session.SaveChangesAsync(ct);
        meters.GcRemoved(kind, count);
        log.LogInformation("GC {Kind} removed {Count} messages ({FromSeq}..{ToSeq}) of {SessionId} in {TenantId}",
            kind, count, fromSeq, toSeq, sessionId, tenantId);
        return record;
    }

    /// <summary>The policy's cutoff seq, but no further than <see cref="BatchMessages"/> messages from the head.</summary>
    private static async Task<long?> StepAsync(NpgsqlConnection db, string tenantId, string sessionId, string cutoffSql,
        DateTimeOffset? before, CancellationToken ct)
    {
        var policyCutoff = await (before is { } t ? db.Command(cutoffSql, tenantId, sessionId, t) : db.Command(cutoffSql, tenantId, sessionId))
            .ScalarAsync<long?>(ct);
        if (policyCutoff is null) return null;
        var batchEnd = await db.Command(
            $"select seq from {Chain} where tenant_id = $1 and session_id = $2 order by seq offset {BatchMessages - 1} limit 1",
            tenantId, sessionId).ScalarAsync<long?>(ct);
        return GcRules.StepCutoff(policyCutoff, batchEnd);
    }

    private static async Task<(long? From, long? To, long Count)> RangeAsync(
        NpgsqlConnection db, string tenantId, string sessionId, long through, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select min(seq), max(seq), count(*) from {Chain} where tenant_id = $1 and session_id = $2 and seq <= $3",
            tenantId, sessionId, through);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetInt64(2));
    }

    private static string PolicyText(Session s) => s.Closed && s.Policy.OnClose == "delete"
        ? "onClose:delete"
        : s.Policy.Retention;
}
