using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using MessagePlatform.Projections;
using Npgsql;

namespace MessagePlatform.Api.Gc;

/// <summary>A session whose last GC step failed: how often in a row, why, and when a pass tries it again.</summary>
public sealed record GcFailure(string TenantId, string SessionId, int Failures, string? LastError, DateTimeOffset? FailedAt, DateTimeOffset? RetryAt);

/// <summary>
/// The GC schedule (<see cref="GcDueProjection"/> keeps it as events arrive): which sessions are due,
/// what a step leaves due, and which sessions failed.
/// </summary>
public sealed class GcDue(NpgsqlDataSource db)
{
    public const string Table = "mp_gc_due";
    public const int Page = 500;
    private static readonly string Q = ReadModels.Qualified(Table);
    private static readonly string Chain = ReadModels.Qualified(ReadModels.SessionChainTable);

    public sealed record Entry(string TenantId, string SessionId, DateTimeOffset DueAt);

    // Keyset over the due index: a session a pass leaves due (not yet safe to remove, or failed) is not met again in that pass.
    private static readonly string DueSql = $"""
        select tenant_id, session_id, due_at from {Q}
        where due_at <= $1 and not held and (retry_at is null or retry_at <= $1)
          and (due_at, tenant_id, session_id) > ($2, $3, $4)
        order by due_at, tenant_id, session_id limit {Page}
        """;

    public async Task<List<Entry>> DueAsync(DateTimeOffset now, Entry? after, CancellationToken ct)
    {
        await using var cmd = db.Command(DueSql, now, after?.DueAt ?? DateTimeOffset.UnixEpoch.AddYears(-1000), after?.TenantId ?? "", after?.SessionId ?? "");
        var page = new List<Entry>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) page.Add(new Entry(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return page;
    }

    private static readonly string RewriteSql =
        $"update {Q} set messages = ?, due_at = case when ? then ? end, held = ?, closed = ?, " +
        "keep_days = nullif(?, 0), keep_last = nullif(?, 0), delete_on_close = ?, " +
        "failures = 0, last_error = null, failed_at = null, retry_at = null where tenant_id = ? and session_id = ?";

    /// <summary>
    /// Queues, into the step's unit of work, the session's schedule as the step leaves it: what is kept
    /// after <paramref name="through"/>, read under the stream-row lock from the session chain (inline,
    /// so it holds every committed message), and when that is due next. A success clears its failures.
    /// </summary>
    public static async Task QueueRewriteAsync(IDocumentSession session, string tenantId, Session state, long through, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = session.Connection!.Command(
            $"select count(*), min(sent_at) from {Chain} where tenant_id = $1 and session_id = $2 and seq > $3", tenantId, state.Id, through);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (messages, oldest) = (reader.GetInt64(0), reader.IsDBNull(1) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(1));
        await reader.CloseAsync();
        var due = GcRules.NextDue(state, messages, oldest, now);
        // Marten binds '?' by runtime type: no due travels as a flag and a placeholder time.
        var retention = Retention.Parse(state.Policy.Retention);
        session.QueueSqlCommand(RewriteSql, messages, due is not null, due ?? DateTimeOffset.UnixEpoch, state.LegalHold, state.Closed,
            retention.Kind == RetentionKind.Days ? retention.N : 0, retention.Kind == RetentionKind.Last ? retention.N : 0,
            state.Policy.OnClose == "delete", tenantId, state.Id);
    }

    /// <summary>
    /// Sessions stored before the schedule existed have no row: each gets one due now (by keys only,
    /// no JSON), and the first pass that visits it writes its terms and real due time. Returns how many.
    /// </summary>
    public async Task<int> AdoptUnscheduledAsync(DateTimeOffset now, CancellationToken ct) =>
        await db.Command($"""
            insert into {Q} (tenant_id, session_id, due_at)
            select d.tenant_id, d.id, $1 from {EventStoreConfig.Schema}.mt_doc_session d
            where not exists (select 1 from {Q} g where g.tenant_id = d.tenant_id and g.session_id = d.id)
            on conflict do nothing
            """, now).ExecuteNonQueryAsync(ct);

    /// <summary>The session is gone: so is its schedule, in the unit of work that removes it.</summary>
    public static void QueueRemove(IDocumentOperations operations, string tenantId, string sessionId) =>
        operations.QueueSqlCommand($"delete from {Q} where tenant_id = ? and session_id = ?", tenantId, sessionId);

    /// <summary>Records a failed step outside its (rolled back) transaction; returns how many times in a row it failed.</summary>
    public async Task<int> RecordFailureAsync(string tenantId, string sessionId, string error, DateTimeOffset now, GcOptions options, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"update {Q} set failures = failures + 1, last_error = $3, failed_at = $4 where tenant_id = $1 and session_id = $2 returning failures",
            tenantId, sessionId, error.Length > 500 ? error[..500] : error, now);
        var failures = await cmd.ScalarAsync<int?>(ct) ?? 0;
        var retryAt = now + GcRules.RetryDelay(failures, options.Interval, TimeSpan.FromMinutes(options.MaxRetryDelayMinutes));
        await db.Command($"update {Q} set retry_at = $3 where tenant_id = $1 and session_id = $2", tenantId, sessionId, retryAt)
            .ExecuteNonQueryAsync(ct);
        return failures;
    }

    /// <summary>How many sessions have failed at least <paramref name="times"/> in a row.</summary>
    public async Task<long> FailingAsync(int times, CancellationToken ct) =>
        await db.Command($"select count(*) from {Q} where failures >= $1", times).ScalarAsync<long>(ct);

    /// <summary>The failing sessions, all tenants (an operator's view), most recent first.</summary>
    public async Task<IReadOnlyList<GcFailure>> FailuresAsync(int limit, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select tenant_id, session_id, failures, last_error, failed_at, retry_at from {Q} where failures > 0 order by failed_at desc limit $1", limit);
        var list = new List<GcFailure>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            list.Add(new GcFailure(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        return list;
    }
}
