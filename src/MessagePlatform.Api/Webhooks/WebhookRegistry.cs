using MessagePlatform.Api.Platform;
using MessagePlatform.Projections;
using Npgsql;

namespace MessagePlatform.Api.Webhooks;

public sealed record WebhookRegistration(string Url, string Secret, string[] Events);

/// <summary>Where a session's events go: its own webhook, else the tenant's default.</summary>
public sealed class WebhookRegistry(NpgsqlDataSource db)
{
    public static readonly string[] EventTypes = ["message.sent", "message.retracted", "session.closed", "user.online", "user.offline"];
    private static readonly string Table = ReadModels.Qualified(WebhookTables.Registrations);

    public async Task<WebhookRegistration?> FindAsync(string tenantId, string sessionId, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select url, secret, events from {Table} where tenant_id = $1 and session_id in ($2, '') order by session_id desc limit 1", tenantId, sessionId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new WebhookRegistration(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2))
            : null;
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
