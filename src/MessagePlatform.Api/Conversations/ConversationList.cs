using MessagePlatform.Api.Platform;
using Marten;
using MessagePlatform.Api.Messages;
using MessagePlatform.Projections;
using Npgsql;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Conversations;

public sealed record ConversationView(
    string SessionId, string Type, MessageView? LastMessage, long Unread, long UnreadMentions, long ReadSeq, bool Pinned, bool Muted, bool Hidden);

/// <summary>
/// A user's conversations, computed on read from the membership the projection keeps, the session
/// chain and the user's read marks: no per-member counter to fan out on every message, and one
/// read mark per (user, session) that every device of the user sees.
/// </summary>
public sealed class ConversationList(NpgsqlDataSource db)
{
    public const string ReadMarksTable = Projections.Conversations.ReadMarksProjection.Table;
    private static readonly string ReadMarks = Qualified(ReadMarksTable);

    public static void AddTo(StoreOptions options)
    {
        var table = NewTable(ReadMarksTable);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("user_id").AsPrimaryKey();
        table.AddColumn<string>("session_id").AsPrimaryKey();
        table.AddColumn<long>("read_seq").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
        ConversationSettingsStore.AddTo(options);
    }

    private static readonly string ListQuery = $"""
        select m.session_id, s.type, coalesce(r.read_seq, 0),
               u.unread, coalesce(st.pinned, false), coalesce(st.muted, false), u.mentioned,
               {MessageRows.Columns("l")}
        from {Qualified(ChainMembersTable)} m
        join {Qualified(ChainSessionsTable)} s on s.tenant_id = m.tenant_id and s.session_id = m.session_id and s.type <> 'room'
        left join {ReadMarks} r on r.tenant_id = m.tenant_id and r.user_id = m.user_id and r.session_id = m.session_id
        left join {ConversationSettingsStore.Qualified} st on st.tenant_id = m.tenant_id and st.user_id = m.user_id and st.session_id = m.session_id
        -- Unread messages of others, and those of them that mention the user or everyone, in one pass.
        cross join lateral (
          select count(*) unread, count(*) filter (where c.mentions && array[m.user_id::text, '@all']) mentioned
          from {Qualified(SessionChainTable)} c
          where c.tenant_id = m.tenant_id and c.session_id = m.session_id and c.sender <> m.user_id and not c.retracted
            and c.seq > greatest(coalesce(r.read_seq, 0), m.joined_seq)) u
        left join lateral (
          select * from {Qualified(SessionChainTable)} c
          where c.tenant_id = m.tenant_id and c.session_id = m.session_id and c.seq > m.joined_seq
          order by c.seq desc limit 1) l on true
        where m.tenant_id = $1 and m.user_id = $2 and m.left_seq is null
          -- Hidden until a newer message than the last one when it was hidden arrives.
          and (st.hidden_through is null or coalesce(l.seq, 0) > st.hidden_through)
        order by coalesce(st.pinned, false) desc, coalesce(l.sent_at, m.joined_at) desc, m.session_id
        limit $3
        """;

    public async Task<IReadOnlyList<ConversationView>> ListAsync(string tenantId, string userId, int limit, CancellationToken ct)
    {
        await using var cmd = db.Command(ListQuery, tenantId, userId, limit);
        var list = new List<ConversationView>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            list.Add(new ConversationView(reader.GetString(0), reader.GetString(1),
                reader.IsDBNull(7) ? null : MessageRows.Read(reader, 7), reader.GetInt64(3), reader.GetInt64(6), reader.GetInt64(2),
                reader.GetBoolean(4), reader.GetBoolean(5), Hidden: false));
        return list;
    }

    /// <summary>The user's read mark in the session, 0 for none.</summary>
    public async Task<long> MarkAsync(string tenantId, string userId, string sessionId, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select read_seq from {ReadMarks} where tenant_id = $1 and user_id = $2 and session_id = $3", tenantId, userId, sessionId);
        return await cmd.ExecuteScalarAsync(ct) is long seq ? seq : 0;
    }

    /// <summary>The read marks of <paramref name="userIds"/> in the session; those without one have none.</summary>
    public async Task<Dictionary<string, long>> MarksAsync(string tenantId, string sessionId, string[] userIds, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select user_id, read_seq from {ReadMarks} where tenant_id = $1 and session_id = $2 and user_id = any($3)",
            tenantId, sessionId, userIds);
        var marks = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) marks[reader.GetString(0)] = reader.GetInt64(1);
        return marks;
    }
}
