using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Npgsql;
using Weasel.Postgresql.Tables;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Gc;

public sealed record ErasureView(
    string ErasureId, string UserId, string Status, IReadOnlyList<string> HeldSessions, long? Masked, DateTimeOffset RequestedAt,
    DateTimeOffset? CompletedAt);

/// <summary>
/// A user's right to erasure: its message bodies in the tenant are masked in the stored events
/// (Marten's event data masking) and in every read model. A request is a row first, so an erasure
/// a node did not finish is finished by the next GC pass; both steps can run again safely.
/// </summary>
public sealed class Erasures(IDocumentStore store, NpgsqlDataSource db, TimeProvider clock, ILogger<Erasures> log)
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
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_pending") { Columns = ["requested_at"], Predicate = "completed_at is null" });
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
            $"select id, user_id, held_sessions, masked, requested_at, completed_at from {Qualified} where tenant_id = $1 and id = $2",
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
        foreach (var (tenant, id, user, by) in pending) await CompleteAsync(tenant, id, user, by, ct);
        return pending.Count;
    }

    private async Task CompleteAsync(string tenantId, string erasureId, string userId, string by, CancellationToken ct)
    {
        // Held sessions are read again now: a hold placed since the request is respected too.
        var (sessions, held) = await SessionsOfAsync(tenantId, userId, ct);
        var targets = sessions.Except(held).ToArray();
        if (targets.Length > 0)
        {
            // The events first: if this node stops here, the rerun masks again (idempotent) and then the rows.
            await store.Advanced.ApplyEventDataMasking(x =>
            {
                x.ForTenant(tenantId);
                foreach (var sessionId in targets) x.IncludeStream(sessionId, e => e.Data is MessageSent m && m.From == userId);
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
        GcLog.Queue(session, tenantId, new GcRecord(Guid.NewGuid().ToString("N"), GcLog.Kinds.Erasure, null, null, null, null,
            masked, by, userId, clock.GetUtcNow()));
        session.QueueSqlCommand($"update {Qualified} set masked = ?, completed_at = ? where tenant_id = ? and id = ?",
            (long)masked, clock.GetUtcNow(), tenantId, erasureId);
        await session.SaveChangesAsync(ct);
        log.LogInformation("Erasure {ErasureId} masked {Masked} messages of {UserId} in {TenantId} across {Sessions} sessions",
            erasureId, masked, userId, tenantId, targets.Length);
    }

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
        r.IsDBNull(3) ? null : r.GetInt64(3), r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5));
}
