using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Npgsql;
using Weasel.Postgresql.Tables;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Gc;

/// <remarks>
/// <c>AwaitingHolds</c>: the held sessions the erasure has not reached yet; each is erased by the first
/// pass after its hold is lifted, with no second request.
/// </remarks>
public sealed record ErasureView(
    string ErasureId, string UserId, string Status, IReadOnlyList<string> HeldSessions, long? Masked, DateTimeOffset RequestedAt,
    DateTimeOffset? CompletedAt, IReadOnlyList<string>? AwaitingHolds = null);

/// <summary>
/// A user's right to erasure: its message bodies in the tenant are masked in the stored events
/// (Marten's event data masking) and in every read model. A request is a row first, so an erasure
/// a node did not finish is finished by the next GC pass; both steps can run again safely.
/// </summary>
public sealed class Erasures(IDocumentStore store, NpgsqlDataSource db, TimeProvider clock, Platform.PlatformMeters meters, ILogger<Erasures> log)
{
    public const string Table = "mp_erasures";
    private static readonly string Qualified = Projections.ReadModels.Qualified(Table);
    private static readonly string Chain = Projections.ReadModels.Qualified(SessionChainTable);

    public static void AddTo(StoreOptions options)
    {
        var table = NewTable(Table);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("id").AsPrimaryKey();
        table.AddColumn<string>("user_id").NotNull();
        table.AddColumn<string>("requested_by").NotNull();
        table.AddColumn<DateTimeOffset>("requested_at").NotNull();
        table.AddColumn("held_sessions", "text[]").NotNull();
        table.AddColumn<long>("masked");
        table.AddColumn<DateTimeOffset>("completed_at");
        // Held sessions skipped so far: a later pass erases each once its hold is lifted.
        table.AddColumn("awaiting_holds", "text[]").NotNull().DefaultValueByExpression("'{}'");
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_pending") { Columns = ["requested_at"], Predicate = "completed_at is null" });
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_awaiting") { Columns = ["requested_at"], Predicate = "cardinality(awaiting_holds) > 0" });
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>Records the request and names the held sessions it will leave alone.</summary>
    public async Task<ErasureView> RequestAsync(string tenantId, string userId, string requestedBy, CancellationToken ct)
    {
        var (_, held) = await SessionsOfAsync(tenantId, userId, ct);
        var view = new ErasureView(Guid.NewGuid().ToString("N"), userId, "pending", held, null, clock.GetUtcNow(), null);
        await using var cmd = db.Command(
            $"insert into {Qualified} (tenant_id, id, user_id, requested_by, requested_at, held_sessions) values ($1, $2, $3, $4, $5, $6)",
            tenantId, view.ErasureId, userId, requestedBy, view.RequestedAt, held.ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
        log.LogInformation("Erasure {ErasureId} of {UserId} in {TenantId} requested; {Held} held sessions left alone",
            view.ErasureId, userId, tenantId, held.Count);
        return view;
    }

    public async Task<ErasureView?> FindAsync(string tenantId, string erasureId, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select id, user_id, held_sessions, masked, requested_at, completed_at, awaiting_holds from {Qualified} where tenant_id = $1 and id = $2",
            tenantId, erasureId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Carries out every erasure not completed yet, oldest first; returns how many.</summary>
    public async Task<int> CompletePendingAsync(CancellationToken ct)
    {
        var pending = new List<(string Tenant, string Id, string User, string By)>();
        await using (var cmd = db.Command($"select tenant_id, id, user_id, requested_by from {Qualified} where completed_at is null order by requested_at"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) pending.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        var done = 0;
        foreach (var (tenant, id, user, by) in pending)
        {
            try
            {
                await CompleteAsync(tenant, id, user, by, ct);
                done++;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // It stays pending: the next pass tries again, and the other erasures go on.
                log.LogError(e, "Erasure {ErasureId} of {UserId} in {TenantId} failed; the next pass tries again", id, user, tenant);
            }
        }
        return done;
    }

    /// <summary>
    /// Erases, in the sessions a completed erasure had to skip, those whose hold has been lifted since;
    /// returns how many sessions it reached. A session held again stays waiting.
    /// </summary>
    public async Task<int> FinishLiftedHoldsAsync(CancellationToken ct)
    {
        var waiting = new List<(string Tenant, string Id, string User, string By, string[] Held)>();
        await using (var cmd = db.Command(
                         $"select tenant_id, id, user_id, requested_by, awaiting_holds from {Qualified} where cardinality(awaiting_holds) > 0 order by requested_at"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                waiting.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<string[]>(4)));
        var reached = 0;
        foreach (var (tenant, id, user, by, awaiting) in waiting)
        {
            try
            {
                await using var query = store.QuerySession(tenant);
                var stillHeld = await query.Query<Session>().Where(s => s.LegalHold && awaiting.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
                var lifted = awaiting.Except(stillHeld).ToArray();
                if (lifted.Length == 0) continue;
                var masked = await MaskAsync(tenant, id, user, by, lifted, [.. stillHeld.Order(StringComparer.Ordinal)], completes: false, ct);
                reached += lifted.Length;
                log.LogInformation("Erasure {ErasureId} masked {Masked} messages of {UserId} in {TenantId} in {Sessions} sessions whose hold was lifted",
                    id, masked, user, tenant, lifted.Length);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogError(e, "Erasure {ErasureId} of {UserId} in {TenantId} could not reach its lifted sessions; the next pass tries again", id, user, tenant);
            }
        }
        return reached;
    }

    private async Task CompleteAsync(string tenantId, string erasureId, string userId, string by, CancellationToken ct)
    {
        // Held sessions are read again now: a hold placed since the request is respected too.
        var (sessions, held) = await SessionsOfAsync(tenantId, userId, ct);
        var targets = sessions.Except(held).ToArray();
        var masked = await MaskAsync(tenantId, erasureId, userId, by, targets, [.. held], completes: true, ct);
        log.LogInformation("Erasure {ErasureId} masked {Masked} messages of {UserId} in {TenantId} across {Sessions} sessions; {Held} held sessions wait for their hold to be lifted",
            erasureId, masked, userId, tenantId, targets.Length, held.Count);
    }

    /// <summary>
    /// Masks the user's bodies in <paramref name="targets"/>: the events first (if this node stops here,
    /// the rerun masks again, idempotent, and then the rows), then the session chain and webhook
    /// deliveries with the record and the erasure's new state in one transaction.
    /// </summary>
    private async Task<long> MaskAsync(string tenantId, string erasureId, string userId, string by, string[] targets, string[] awaiting,
        bool completes, CancellationToken ct)
    {
        if (targets.Length > 0)
        {
            // Every version of the user's messages: edits carry a body too, whoever made them (an admin's edit included).
            var theirs = await MessagesOfAsync(tenantId, userId, targets, ct);
            await store.Advanced.ApplyEventDataMasking(x =>
            {
                x.ForTenant(tenantId);
                foreach (var sessionId in targets)
                    x.IncludeStream(sessionId, e => e.Data is MessageSent m && m.From == userId
                                                    || e.Data is MessageEdited edit && (edit.By == userId || theirs.Contains(edit.MsgId)));
            }, ct);
        }
        await using var session = store.LightweightSession(tenantId);
        await session.BeginTransactionAsync(ct);
        var masked = await session.Connection!.Command(
            $"update {Chain} set body = null where tenant_id = $1 and sender = $2 and session_id = any($3) and body is not null",
            tenantId, userId, targets).ExecuteNonQueryAsync(ct);
        // Webhook deliveries carry bodies too (pending and parked ones; a delivered one's is gone already):
        // an operator replaying one must not resend it.
        session.QueueSqlCommand(MaskDeliveries, tenantId, userId, targets);
        // The bodies the user's messages were edited to, which sync's edit items show.
        session.QueueSqlCommand(MaskEdits, tenantId, userId, targets);
        // The first run records the erasure; a later one names the session whose hold was lifted.
        GcLog.Queue(session, tenantId, new GcRecord(Guid.NewGuid().ToString("N"), GcLog.Kinds.Erasure, completes || targets.Length != 1 ? null : targets[0],
            null, null, null, masked, by, userId, clock.GetUtcNow()));
        if (completes)
            session.QueueSqlCommand($"update {Qualified} set masked = ?, completed_at = ?, awaiting_holds = ? where tenant_id = ? and id = ?",
                (long)masked, clock.GetUtcNow(), awaiting, tenantId, erasureId);
        else
            session.QueueSqlCommand($"update {Qualified} set masked = coalesce(masked, 0) + ?, awaiting_holds = ? where tenant_id = ? and id = ?",
                (long)masked, awaiting, tenantId, erasureId);
        await session.SaveChangesAsync(ct);
        meters.GcRemoved(GcLog.Kinds.Erasure, masked);
        return masked;
    }

    private static readonly string MaskEdits = $"""
        update {Projections.ReadModels.Qualified(ChatItemsTable)} i set body = null
        from {Chain} c
        where c.tenant_id = ? and c.sender = ? and c.session_id = any(?)
          and i.tenant_id = c.tenant_id and i.session_id = c.session_id and i.msg_seq = c.seq and i.kind = 'edit' and i.body is not null
        """;

    private static readonly string MaskDeliveries = $$"""
        update {{Projections.ReadModels.Qualified(Webhooks.WebhookTables.Deliveries)}} d
        set payload = jsonb_set(d.payload, '{events}', (
          select jsonb_agg(case when e ->> 'type' = 'message.sent' and e ->> 'from' = p.user_id then jsonb_set(e, '{body}', 'null') else e end
                           order by n)
          from jsonb_array_elements(d.payload -> 'events') with ordinality as x(e, n)))
        from (select ?::text as tenant_id, ?::text as user_id, ?::text[] as sessions) p
        where d.tenant_id = p.tenant_id and d.session_id = any(p.sessions) and d.payload is not null
          and exists (select 1 from jsonb_array_elements(d.payload -> 'events') e where e ->> 'type' = 'message.sent' and e ->> 'from' = p.user_id)
        """;

    private async Task<HashSet<long>> MessagesOfAsync(string tenantId, string userId, string[] sessions, CancellationToken ct)
    {
        var ids = new HashSet<long>();
        await using var cmd = db.Command($"select msg_id from {Chain} where tenant_id = $1 and sender = $2 and session_id = any($3)", tenantId, userId, sessions);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
        return ids;
    }

    /// <summary>The sessions holding the user's messages, and which of them are on legal hold.</summary>
    private async Task<(List<string> Sessions, List<string> Held)> SessionsOfAsync(string tenantId, string userId, CancellationToken ct)
    {
        var sessions = new List<string>();
        await using (var cmd = db.Command($"select distinct session_id from {Chain} where tenant_id = $1 and sender = $2", tenantId, userId))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) sessions.Add(reader.GetString(0));
        if (sessions.Count == 0) return (sessions, []);
        await using var query = store.QuerySession(tenantId);
        var held = await query.Query<Session>().Where(s => s.LegalHold && sessions.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
        return (sessions, [.. held.Order(StringComparer.Ordinal)]);
    }

    private static ErasureView Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.IsDBNull(5) ? "pending" : "completed", r.GetFieldValue<string[]>(2),
        r.IsDBNull(3) ? null : r.GetInt64(3), r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
        r.GetFieldValue<string[]>(6));
}
