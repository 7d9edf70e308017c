using System.Threading.Channels;
using JasperFx.Events;
using Marten;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// One lane of <see cref="GroupCommit"/>: it alone writes the sessions hashed to it on this node, so
/// it can keep their state and version in memory. Another node writing the same session shows up as
/// a version or receipt conflict at commit; the lane then reloads and decides again.
/// </summary>
internal sealed class CommitLane(
    ChannelReader<PendingCommand> queue, IDocumentStore store, SendReceipts receipts, MsgIds msgIds,
    TimeProvider clock, int cacheCapacity, PlatformMeters meters, ILogger log, OutageLog outage)
{
    private const int MaxBatch = 512;
    // Cross-node contention on one hot session can conflict repeatedly; each retry backs off further.
    private const int MaxAttempts = 20;
    private readonly SessionCache _cache = new(cacheCapacity);
    private readonly RecentReceipts _recent = new(capacity: 100_000);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingCommand>(MaxBatch);
        // Reads until the queue is completed at shutdown, so queued commands still commit.
        while (await queue.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && queue.TryRead(out var pending)) batch.Add(pending);
            foreach (var pending in batch) meters.QueueWait(pending.EnqueuedAt);
            foreach (var tenant in batch.GroupBy(p => p.Command.TenantId))
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var commands = tenant.ToList();
                using (CommitSpans.Start(commands)) await CommitAsync(commands, stoppingToken);
                meters.LaneBatch(commands.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            }
            batch.Clear();
        }
    }

    /// <summary>
    /// Commits, retrying conflicts. The first attempt trusts the receipts' primary key instead of
    /// looking receipts up: a repeat this lane has not seen is rare, and it fails the transaction
    /// on that key, after which every attempt looks them up.
    /// </summary>
    private async Task CommitAsync(List<PendingCommand> items, CancellationToken ct, bool lookUpReceipts = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stale = await CommitOnceAsync(items, lookUpReceipts || attempt > 1, CancellationToken.None);
                outage.Succeeded();
                if (stale.Count == 0) return;
                // A refusal or a no-op decided on cached state may be wrong (another node added a
                // member, lifted a hold): decide again on a fresh load before answering.
                foreach (var id in stale) _cache.Forget(items[0].Command.TenantId, id);
                attempt--;
            }
            catch (Exception e) when (StreamConflicts.Is(e) && attempt < MaxAttempts)
            {
                var tenantId = items[0].Command.TenantId;
                var sessions = items.Select(i => i.Command.SessionId).Distinct().ToList();
                foreach (var s in sessions) _cache.Forget(tenantId, s);
                log.LogDebug("Append conflict in {TenantId} on {SessionCount} sessions, attempt {Attempt}: {Reason}",
                    tenantId, sessions.Count, attempt, e.Message);
                if (sessions.Count > 1)
                {
                    // Keep one contested session from holding back the others: commit each on its own.
                    foreach (var one in items.GroupBy(i => i.Command.SessionId)) await CommitAsync(one.ToList(), ct, lookUpReceipts: true);
                    return;
                }
                await Task.Delay(Random.Shared.Next(1, 5 * Math.Min(attempt, 10)), CancellationToken.None);
            }
            // A connection cut mid-commit is worth a retry on a new one (receipts looked up, so a commit
            // that did land answers as the first one); a store known to be away is not: its callers hear at once.
            catch (Exception e) when (TransientFailures.Is(e) && attempt < 3 && !outage.InOutage)
            {
                log.LogWarning("Transient database failure on commit, attempt {Attempt}: {Reason}", attempt, e.Message);
                await Task.Delay(200 * attempt, CancellationToken.None);
            }
            catch (Exception e) when (StoreUnavailable.Is(e))
            {
                // No one command is at fault, so the batch is not split to find one: every caller
                // hears 503 now. Whether a cut commit landed, a retry with its clientMsgId finds out.
                outage.Failed(e, TimeSpan.Zero);
                var failure = new StoreUnavailableException(e);
                foreach (var item in items) item.Done.TrySetException(failure);
                return;
            }
            catch (Exception e) when (items.Count > 1)
            {
                // Neither a lost race nor a transient failure: one command is likely at fault (a value
                // the database refuses). Commit each on its own, so only that one fails.
                log.LogWarning(e, "Commit of {Count} commands of {TenantId} failed; committing them one by one",
                    items.Count, items[0].Command.TenantId);
                foreach (var one in items) await CommitAsync([one], ct, lookUpReceipts: true);
                return;
            }
            catch (Exception e)
            {
                var command = items[0].Command;
                log.LogError(e, "Commit failed for a command on {SessionId} of {TenantId}", command.SessionId, command.TenantId);
                items[0].Done.TrySetException(e);
                return;
            }
        }
    }

    /// <summary>
    /// Loads, decides (<see cref="BatchRules"/>) and commits every command; returns, without committing
    /// anything, the sessions whose cached state refused a command or found nothing to do (none when it committed).
    /// </summary>
    private async Task<IReadOnlySet<string>> CommitOnceAsync(List<PendingCommand> items, bool lookUpReceipts, CancellationToken ct)
    {
        var tenantId = items[0].Command.TenantId;
        await using var session = store.LightweightSession(tenantId);
        var sessions = await LoadAsync(session, items.Select(i => i.Command.SessionId).Distinct().ToList(), ct);
        // Commands that depend on read models read them now, after the state they will be decided
        // against: another node's commit after this read moves the stream's version and makes this
        // attempt conflict; one before it is in what they read.
        foreach (var item in items) await item.Command.PrepareAsync(ct);
        var commands = items.Select(i => i.Command).ToList();
        var known = lookUpReceipts ? await receipts.FindAsync(tenantId, commands.OfType<SendCommand>().ToList(), ct) : NoReceipts;
        // PostgreSQL keeps microseconds: a repeated send must get back exactly the sentAt it first got.
        var now = clock.GetUtcNow();
        var context = new StreamContext(now.AddTicks(-(now.Ticks % 10)), msgIds);

        var decision = BatchRules.Decide(tenantId, commands, sessions, known, _recent, context);
        if (decision.Stale.Count > 0) return decision.Stale;
        if (decision.Appends.Count > 0)
        {
            foreach (var append in decision.Appends)
            {
                var events = append.Events.Select(e => (object)Stamped(session, e.Data, items[e.Command].Origin, items[e.Command].Trace)).ToArray();
                if (append.Expected == 0) session.Events.StartStream(append.SessionId, events);
                else session.Events.Append(append.SessionId, append.Version, events);
            }
            SendReceipts.Queue(session, tenantId, decision.Receipts);
            await session.SaveChangesAsync(ct);
            foreach (var append in decision.Appends) _cache.Put(tenantId, append.SessionId, append.State, append.Version);
            var openedAt = decision.Appends.ToDictionary(a => a.SessionId, a => a.State?.OpenedAt);
            foreach (var receipt in decision.Receipts) _recent.Add(tenantId, openedAt[receipt.SessionId], receipt);
        }
        for (var i = 0; i < items.Count; i++) items[i].Done.TrySetResult(decision.Outcomes[i]);
        return decision.Stale;
    }

    /// <summary>
    /// The state and version of every session of the batch: from the cache, else loaded in one
    /// round trip (those are fresh). Taken once, before deciding: loading may evict cached
    /// sessions of this very batch, and a decision must never see a session as unknown for that.
    /// </summary>
    private async Task<Dictionary<string, SessionAtHand>> LoadAsync(IDocumentSession session, List<string> ids, CancellationToken ct)
    {
        var tenantId = session.TenantId;
        var states = new Dictionary<string, SessionAtHand>(ids.Count);
        var missing = new List<string>();
        foreach (var id in ids)
        {
            if (_cache.TryGet(tenantId, id, out var cached)) states[id] = new SessionAtHand(cached.State, cached.Version, Fresh: false);
            else missing.Add(id);
        }
        if (missing.Count == 0) return states;
        var batch = session.CreateBatchQuery();
        var docs = missing.Select(id => (id, doc: batch.Load<Session>(id), stream: batch.Events.FetchStreamState(id))).ToList();
        await batch.Execute(ct);
        foreach (var (id, doc, stream) in docs)
        {
            var entry = new SessionAtHand(await doc, (await stream)?.Version ?? 0, Fresh: true);
            states[id] = entry;
            _cache.Put(tenantId, id, entry.State, entry.Version);
        }
        return states;
    }

    private static readonly Dictionary<(string, string, string), SendReceipt> NoReceipts = [];

    /// <summary>
    /// Each event carries its own command's caller: one commit holds many callers' commands, so
    /// Marten's session-wide correlation and headers would stamp them all with one.
    /// </summary>
    internal static IEvent Stamped(IDocumentSession session, object data, CommandOrigin origin, string? trace)
    {
        var e = session.Events.BuildEvent(data);
        e.CorrelationId = origin.CorrelationId;
        e.CausationId = origin.CausationId;
        e.SetHeader(CommandOrigin.CausedByHeader, origin.CausedBy);
        // The span that wrote it, so the push and the webhook it leads to join its trace.
        if (trace is not null) e.SetHeader(Telemetry.TraceHeader, trace);
        return e;
    }
}
