using Marten;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Npgsql;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Conversations;

/// <summary>
/// Users' conversation settings: each change is a <see cref="ConversationSettingsChanged"/> in the user's
/// own stream (<see cref="ConversationSettingsRules.StreamOf"/>), and the row the conversation list reads
/// is written in the same transaction, as tags are. Hiding records the session's last seq then: the
/// conversation stays out of the list until a message after it arrives, and from then on reads as not hidden.
/// </summary>
public sealed class ConversationSettingsStore(NpgsqlDataSource db, SessionStreams streams, TimeProvider clock)
{
    public const string Table = "mp_conversation_settings";
    public static readonly string Qualified = Projections.ReadModels.Qualified(Table);
    private const int MaxAttempts = 5;

    public static void AddTo(StoreOptions options)
    {
        var table = NewTable(Table);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("user_id").AsPrimaryKey();
        table.AddColumn<string>("session_id").AsPrimaryKey();
        table.AddColumn<bool>("pinned").NotNull().DefaultValueByExpression("false");
        table.AddColumn<bool>("muted").NotNull().DefaultValueByExpression("false");
        table.AddColumn<long>("hidden_through");
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>The user's settings of the conversation as its list shows them now.</summary>
    public async Task<ConversationSettings> CurrentAsync(string tenantId, string userId, string sessionId, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"""
             select s.pinned, s.muted,
                    s.hidden_through is not null and coalesce((select max(c.seq) from {Projections.ReadModels.Qualified(SessionChainTable)} c
                      where c.tenant_id = s.tenant_id and c.session_id = s.session_id), 0) <= s.hidden_through
             from {Qualified} s where s.tenant_id = $1 and s.user_id = $2 and s.session_id = $3
             """, tenantId, userId, sessionId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ConversationSettings(reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2))
            : ConversationSettings.Default;
    }

    /// <summary>
    /// Decides and stores a change of a member's settings; a concurrent change of the same user's
    /// settings conflicts on the stream's version and is decided again.
    /// </summary>
    public async Task<ConversationSettings> ChangeAsync(string tenantId, ChangeConversationSettings change, CancellationToken ct)
    {
        var stream = ConversationSettingsRules.StreamOf(change.UserId);
        for (var attempt = 1; ; attempt++)
        {
            var version = await streams.VersionAsync(tenantId, stream, ct);
            var current = await CurrentAsync(tenantId, change.UserId, change.SessionId, ct);
            var decision = ConversationSettingsRules.Decide(current, change, clock.GetUtcNow());
            if (decision.Events.Count == 0) return current;
            var changed = (ConversationSettingsChanged)decision.Events[0];
            try
            {
                await streams.AppendAsync(tenantId, stream, version, decision.Events, operations => operations.QueueSqlCommand(
                    $"""
                     insert into {Qualified} as s (tenant_id, user_id, session_id, pinned, muted, hidden_through)
                     values (?, ?, ?, ?, ?, case when ? then (select coalesce(max(c.seq), 0) from {Projections.ReadModels.Qualified(SessionChainTable)} c
                       where c.tenant_id = ? and c.session_id = ?) end)
                     on conflict (tenant_id, user_id, session_id) do update set
                       pinned = excluded.pinned, muted = excluded.muted, hidden_through = excluded.hidden_through
                     """,
                    tenantId, change.UserId, change.SessionId, changed.Pinned ?? current.Pinned, changed.Muted ?? current.Muted,
                    changed.Hidden ?? current.Hidden, tenantId, change.SessionId), ct);
                return current.Evolve(changed);
            }
            catch (Exception e) when (attempt < MaxAttempts && StreamConflicts.Is(e))
            {
                // Another device changed this user's settings meanwhile: decide again on what it left.
            }
        }
    }
}
