using JasperFx.Events;
using Marten;
using MessagePlatform.Domain;
using Weasel.Postgresql.Tables;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Projections.SessionChain;

/// <summary>
/// The chat items: one row per edit, reaction, pin, unpin and read mark, keyed by (tenant, session,
/// event version), so a user-chain or feed entry (which names only a session and a version) can show
/// who did what. Inline like the session chain: written in the append's transaction, so the hot-room
/// reaction counts read here already hold every reaction fan-out has seen. `msg_seq` is the seq of the
/// message an item is about (null for read marks and unpins); GC removes items with their message.
/// </summary>
public sealed partial class ChatItemsProjection : SetBasedProjection
{
    public const string ProjectionName = "ChatItems";

    private static readonly string Insert =
        $"insert into {Qualified(ChatItemsTable)} (tenant_id, session_id, version, kind, msg_id, msg_seq, by_user, reaction, added, body, read_seq, at) " +
        "select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::boolean[], ?::jsonb[], ?::bigint[], ?::timestamptz[]) " +
        "on conflict do nothing";

    // A retracted message's body is never shown again: neither are the bodies it was edited to.
    private static readonly string Retract =
        $"update {Qualified(ChatItemsTable)} i set body = null " +
        "from unnest(?::text[], ?::text[], ?::bigint[]) r(tenant_id, session_id, seq) " +
        "where i.tenant_id = r.tenant_id and i.session_id = r.session_id and i.msg_seq = r.seq and i.kind = 'edit'";

    public ChatItemsProjection()
    {
        Name = ProjectionName;
        IncludeType<MessageEdited>();
        IncludeType<ReactionAdded>();
        IncludeType<ReactionRemoved>();
        IncludeType<MessagePinned>();
        IncludeType<MessageUnpinned>();
        IncludeType<ConversationRead>();
        IncludeType<MessageRetracted>();
        var table = NewTable(ChatItemsTable);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("session_id").AsPrimaryKey();
        table.AddColumn<long>("version").AsPrimaryKey();
        table.AddColumn<string>("kind").NotNull();
        table.AddColumn<long>("msg_id");
        table.AddColumn<long>("msg_seq");
        table.AddColumn<string>("by_user").NotNull();
        table.AddColumn<string>("reaction");
        table.AddColumn<bool>("added");
        table.AddColumn("body", "jsonb");
        table.AddColumn<long>("read_seq");
        table.AddColumn<DateTimeOffset>("at").NotNull();
        // Counts of a message's reactions, and GC of a message's items, go by the message's seq.
        table.Indexes.Add(new IndexDefinition($"ix_{ChatItemsTable}_msg") { Columns = ["tenant_id", "session_id", "msg_seq"] });
        SchemaObjects.Add(table);
        Options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
    }

    /// <summary>One row of the table, from an event of the session stream; null for any other event.</summary>
    public sealed record Item(string Kind, long? MsgId, long? MsgSeq, string By, string? Reaction, bool? Added, string? BodyJson, long? ReadSeq, DateTimeOffset At);

    public static Item? Of(object data) => data switch
    {
        MessageEdited m => new("edit", m.MsgId, m.Seq, m.By, null, null, m.Body.GetRawText(), null, m.EditedAt),
        ReactionAdded r => new("reaction", r.MsgId, r.Seq, r.By, r.Reaction, true, null, null, r.At),
        ReactionRemoved r => new("reaction", r.MsgId, r.Seq, r.By, r.Reaction, false, null, null, r.At),
        MessagePinned p => new("pin", p.MsgId, p.Seq, p.By, null, null, null, null, p.At),
        MessageUnpinned u => new("unpin", u.MsgId, null, u.By, null, null, null, null, u.At),
        ConversationRead r => new("read", null, null, r.UserId, null, null, null, r.Seq, r.At),
        _ => null,
    };

    protected override void ApplyPage(IDocumentOperations operations, IReadOnlyList<IEvent> events)
    {
        var rows = events.Select(e => (Event: e, Item: Of(e.Data))).Where(r => r.Item is not null).ToList();
        var items = rows.Select(r => r.Item!).ToList();
        if (rows.Count > 0)
            operations.QueueSqlCommand(Insert,
            rows.Select(r => r.Event.TenantId).ToArray(), rows.Select(r => r.Event.StreamKey!).ToArray(), rows.Select(r => r.Event.Version).ToArray(),
            items.Select(i => i.Kind).ToArray(), items.Select(i => i.MsgId).ToArray(), items.Select(i => i.MsgSeq).ToArray(),
            items.Select(i => i.By).ToArray(), items.Select(i => i.Reaction).ToArray(), items.Select(i => i.Added).ToArray(),
            items.Select(i => i.BodyJson).ToArray(), items.Select(i => i.ReadSeq).ToArray(), items.Select(i => i.At).ToArray());
        // After the inserts: an edit and the message's retraction may share a commit or page.
        var retracted = events.Where(e => e.Data is MessageRetracted).ToList();
        if (retracted.Count > 0)
            operations.QueueSqlCommand(Retract,
                retracted.Select(e => e.TenantId).ToArray(), retracted.Select(e => e.StreamKey!).ToArray(),
                retracted.Select(e => ((MessageRetracted)e.Data).Seq).ToArray());
    }
}
