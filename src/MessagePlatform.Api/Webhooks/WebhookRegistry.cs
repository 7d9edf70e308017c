using MessagePlatform.Api.Platform;
using MessagePlatform.Projections;
using Npgsql;

namespace MessagePlatform.Api.Webhooks;

public sealed record WebhookRegistration(string Url, string Secret, string[] Events);

/// <summary>Where a session's events go: its own webhook, else the tenant's default.</summary>
public sealed class WebhookRegistry(NpgsqlDataSource db)
{
    public static readonly string[] EventTypes =
    [
        "message.sent", "message.retracted", "session.closed", "user.online", "user.offline",
        .. WebhookChatEvents.Types,
    ];
    private static readonly string Table = ReadModels.Qualified(WebhookTables.Registrations);

    /// <summary>
    /// The registration each of these sessions' events go to, in one query for them all (a page of
    /// the outbox): the session's own, else its tenant's default. Sessions with neither are absent.
    /// </summary>
    public async Task<Dictionary<(string TenantId, string SessionId), WebhookRegistration>> FindAsync(
        IReadOnlyCollection<(string TenantId, string SessionId)> sessions, CancellationToken ct)
    {
        var found = new Dictionary<(string, string), WebhookRegistration>();
        if (sessions.Count == 0) return found;
        await using var cmd = db.Command(
            $"""
             select distinct on (k.tenant_id, k.session_id) k.tenant_id, k.session_id, h.url, h.secret, h.events
             from unnest($1::text[], $2::text[]) as k(tenant_id, session_id)
             join {Table} h on h.tenant_id = k.tenant_id and h.session_id in (k.session_id, '')
             order by k.tenant_id, k.session_id, h.session_id desc
             """, sessions.Select(s => s.TenantId).ToArray(), sessions.Select(s => s.SessionId).ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            found[(reader.GetString(0), reader.GetString(1))] =
                new WebhookRegistration(reader.GetString(2), reader.GetString(3), reader.GetFieldValue<string[]>(4));
        return found;
    }

    public async Task PutAsync(string tenantId, string sessionId, WebhookRegistration hook, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"""
             insert into {Table} (tenant_id, session_id, url, secret, events) values ($1, $2, $3, $4, $5)
             on conflict (tenant_id, session_id) do update set url = excluded.url, secret = excluded.secret, events = excluded.events
             """, tenantId, sessionId, hook.Url, hook.Secret, hook.Events);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task DeleteAsync(string tenantId, string sessionId, CancellationToken ct)
    {
        await using var cmd = db.Command($"delete from {Table} where tenant_id = $1 and session_id = $2", tenantId, sessionId);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
