using System.Text.Json;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Npgsql;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Messages;

/// <summary>The message an edit, a reaction or a pin names, as the session chain (and its reactions) show it now.</summary>
public sealed class ChatTargets(NpgsqlDataSource db)
{
    private static readonly string Chain = Qualified(SessionChainTable);
    private static readonly string Reactions = Qualified(MessageReactionsTable);

    /// <summary>The target of an edit, with its latest body and when it was last edited (null if never).</summary>
    public async Task<(EditTarget Target, DateTimeOffset? EditedAt)?> EditTargetAsync(string tenantId, string sessionId, long msgId, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select seq, sender, sent_at, retracted, body, edited_at from {Chain} where tenant_id = $1 and session_id = $2 and msg_id = $3",
            tenantId, sessionId, msgId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        // A masked body (retracted or erased) compares equal to nothing a client can send.
        var body = reader.IsDBNull(4) ? default : JsonDocument.Parse(reader.GetString(4)).RootElement.Clone();
        return (new EditTarget(msgId, reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetBoolean(3), body),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
    }

    /// <summary>The target of a reaction: the distinct reactions on the message and those of <paramref name="userId"/>.</summary>
    public async Task<ReactionTarget?> ReactionTargetAsync(string tenantId, string sessionId, long msgId, string userId, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"""
             select c.seq, c.retracted,
                    coalesce((select array_agg(distinct r.reaction) from {Reactions} r
                              where r.tenant_id = c.tenant_id and r.session_id = c.session_id and r.seq = c.seq), array[]::text[]),
                    coalesce((select array_agg(r.reaction) from {Reactions} r
                              where r.tenant_id = c.tenant_id and r.session_id = c.session_id and r.seq = c.seq and r.user_id = $4), array[]::text[])
             from {Chain} c where c.tenant_id = $1 and c.session_id = $2 and c.msg_id = $3
             """, tenantId, sessionId, msgId, userId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ReactionTarget(msgId, reader.GetInt64(0), reader.GetBoolean(1), reader.GetFieldValue<string[]>(2), reader.GetFieldValue<string[]>(3))
            : null;
    }
}
