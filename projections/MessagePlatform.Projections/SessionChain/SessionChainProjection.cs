using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using MessagePlatform.Domain;
using Weasel.Postgresql.Tables;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Projections.SessionChain;

/// <summary>
/// The session chain: each message as a row keyed by (tenant, session, seq). Inline, in the
/// transaction of the append, so a session's history shows a message as soon as its send is
/// answered. The write path always appends with an explicit expected version, so Marten knows
/// each event's version (its seq) here even in quick-append mode.
/// </summary>
public sealed partial class SessionChainProjection : SetBasedProjection
{
    // One statement for all messages of the commit (or page: a rebuild spans tenants), one for all edits, one for all retractions.
    // Mentions travel as one JSON array per row: unnest would flatten a text[][] into single names.
    private static readonly string Insert =
        $"insert into {Qualified(SessionChainTable)} (tenant_id, session_id, seq, msg_id, sender, type, body, priority, sent_at, reply_to, mentions) " +
        "select t, s, q, id, f, ty, b, p, at, r, case when m is null then null else array(select jsonb_array_elements_text(m)) end " +
        "from unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::jsonb[], ?::text[], ?::timestamptz[], ?::bigint[], ?::jsonb[]) " +
        "u(t, s, q, id, f, ty, b, p, at, r, m) " +
        "on conflict do nothing";

    // The latest body is shown; a retracted (or erased) row keeps its mask: edits are refused on those,
    // and a rebuild replays the retraction after the edits it follows.
    private static readonly string Edit =
        $"update {Qualified(SessionChainTable)} c set body = e.body, edited_at = e.edited_at " +
        "from unnest(?::text[], ?::text[], ?::bigint[], ?::jsonb[], ?::timestamptz[]) e(tenant_id, session_id, seq, body, edited_at) " +
        "where c.tenant_id = e.tenant_id and c.session_id = e.session_id and c.seq = e.seq and not c.retracted";

    // The body goes: a retracted message is never shown to users again (auditors read the event).
    private static readonly string Retract =
        $"update {Qualified(SessionChainTable)} c set retracted = true, body = null " +
        "from unnest(?::text[], ?::text[], ?::bigint[]) r(tenant_id, session_id, seq) " +
        "where c.tenant_id = r.tenant_id and c.session_id = r.session_id and c.seq = r.seq";

    public const string ProjectionName = "SessionChain";

    public SessionChainProjection()
    {
        Name = ProjectionName;
        IncludeType<MessageSent>();
        IncludeType<MessageRetracted>();
        IncludeType<MessageEdited>();
        var table = NewTable(SessionChainTable);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("session_id").AsPrimaryKey();
        table.AddColumn<long>("seq").AsPrimaryKey();
        table.AddColumn<long>("msg_id").NotNull();
        table.AddColumn<string>("sender").NotNull();
        table.AddColumn<string>("type").NotNull();
        table.AddColumn("body", "jsonb");
        table.AddColumn<string>("priority").NotNull();
        table.AddColumn<DateTimeOffset>("sent_at").NotNull();
        table.AddColumn<bool>("retracted").NotNull().DefaultValueByExpression("false");
        // v1.1 (everyday chat): null on rows from before it, and on messages that do not use them.
        table.AddColumn<DateTimeOffset>("edited_at").AllowNulls();
        table.AddColumn("reply_to", "bigint").AllowNulls();
        table.AddColumn("mentions", "text[]").AllowNulls();
        table.Indexes.Add(new IndexDefinition($"ix_{SessionChainTable}_msg") { Columns = ["tenant_id", "session_id", "msg_id"] });
        // The replies to one message, read by GET …/messages/{msgId}/replies; partial: most messages reply to nothing.
        table.Indexes.Add(new IndexDefinition($"ix_{SessionChainTable}_reply")
        {
            Columns = ["tenant_id", "session_id", "reply_to", "seq"], Predicate = "reply_to is not null",
        });
        SchemaObjects.Add(table);
        Options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
    }

    protected override void ApplyPage(IDocumentOperations operations, IReadOnlyList<IEvent> events)
    {
        var sent = events.Where(e => e.Data is MessageSent).ToList();
        if (sent.Count > 0)
        {
            var messages = sent.Select(e => (MessageSent)e.Data).ToList();
            operations.QueueSqlCommand(Insert,
                sent.Select(e => e.TenantId).ToArray(), sent.Select(e => e.StreamKey!).ToArray(), sent.Select(e => e.Version).ToArray(),
                messages.Select(m => m.MsgId).ToArray(), messages.Select(m => m.From).ToArray(), messages.Select(m => m.Type).ToArray(),
                messages.Select(m => m.Body.GetRawText()).ToArray(), messages.Select(m => m.Priority).ToArray(),
                messages.Select(m => m.SentAt).ToArray(), messages.Select(m => m.ReplyTo).ToArray(),
                messages.Select(m => m.Mentions is null ? null : JsonSerializer.Serialize(m.Mentions)).ToArray());
        }
        // After the inserts (an edit may follow its send in one page); the last edit of a message in
        // the page wins, since an update joined to several rows would take any one of them.
        var edits = events.Where(e => e.Data is MessageEdited)
            .GroupBy(e => (e.TenantId, e.StreamKey, ((MessageEdited)e.Data).Seq)).Select(g => g.Last()).ToList();
        if (edits.Count > 0)
            operations.QueueSqlCommand(Edit,
                edits.Select(e => e.TenantId).ToArray(), edits.Select(e => e.StreamKey!).ToArray(),
                edits.Select(e => ((MessageEdited)e.Data).Seq).ToArray(),
                edits.Select(e => ((MessageEdited)e.Data).Body.GetRawText()).ToArray(),
                edits.Select(e => ((MessageEdited)e.Data).EditedAt).ToArray());
        // After the inserts: a message may be retracted in the very commit or page that sent it.
        var retracted = events.Where(e => e.Data is MessageRetracted).ToList();
        if (retracted.Count > 0)
            operations.QueueSqlCommand(Retract,
                retracted.Select(e => e.TenantId).ToArray(), retracted.Select(e => e.StreamKey!).ToArray(),
                retracted.Select(e => ((MessageRetracted)e.Data).Seq).ToArray());
    }
}
