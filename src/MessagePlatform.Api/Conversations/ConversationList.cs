using MessagePlatform.Api.Platform;
using Marten;
using MessagePlatform.Api.Messages;
using MessagePlatform.Projections;
using Npgsql;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Conversations;

public sealed record ConversationView(string SessionId, string Type, MessageView? LastMessage, long Unread, long ReadSeq);

/// <summary>
/// A user's conversations, computed on read from the membership the projection keeps, the session
/// chain and the user's read marks: no per-member counter to fan out on every message, and one
/// read mark per (user, session) that every device of the user sees.
/// </summary>
public sealed class ConversationList(NpgsqlDataSource db)
{
    public const string ReadMarksTable = "mp_read_marks";
    private static readonly string ReadMarks = Qualified(ReadMarksTable);

    public static void AddTo(StoreOptions options)
    {
        var table = NewTable(ReadMarksTable);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("user_id").AsPrimaryKey();
        table.AddColumn<string>("session_id").AsPrimaryKey();
        table.AddColumn<long>("read_seq").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    private static readonly string ListQuery = $"""
        select m.session_id, s.type, coalesce(r.read_seq, 0),
               (select count(*) from {Qualified(SessionChainTable)} c
                 where c.tenant_id = m.tenant_id and c.session_id = m.session_id and c.sender <> m.user_id and not c.retracted
                   and c.seq > greatest(coalesce(r.read_seq, 0), m.joined_seq)),
               {MessageRows.Columns("l")}
        from {Qualified(ChainMembersTable)} m
        join {Qualified(ChainSessionsTable)} s on s.tenant_id = m.tenant_id and s.session_id = m.session_id and s.type <> 'room'
        left join {ReadMarks} r on r.tenant_id = m.tenant_id and r.user_id = m.user_id and r.session_id = m.session_id
        left join lateral (
          select * from {Qualified(SessionChainTable)} c
          where c.tenant_id = m.tenant_id and c.session_id = m.session_id and c.seq > m.joined_seq
          order by c.seq desc limit 1) l on true
        where m.tenant_id = $1 and m.user_id = $2 and m.left_seq is null
        order by coalesce(l.sent_at, m.joined_at) desc, m.session_id
        limit $3
        """;

    public async Task<IReadOnlyList<ConversationView>> ListAsync(string tenantId, string userId, int limit, CancellationToken ct)
    {
        await using var cmd = db.Command(ListQuery, tenantId, userId, limit);
        var list = new List<ConversationView>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            list.Add(new ConversationView(reader.GetString(0), reader.GetString(1),
                reader.IsDBNull(4) ? null : MessageRows.Read(reader, 4), reader.GetInt64(3), reader.GetInt64(2)));
        return list;
    }

    /// <summary>Moves the read mark forward only; returns where it stands.</summary>
    public async Task<long> MarkReadAsync(string tenantId, string userId, string sessionId, long seq, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"""
             insert into {ReadMarks} (tenant_id, user_id, session_id, read_seq) values ($1, $2, $3, $4)
             on conflict (tenant_id, user_id, session_id) do update set read_seq = greatest({ReadMarks}.read_seq, excluded.read_seq)
             returning read_seq
             """, tenantId, userId, sessionId, seq);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
