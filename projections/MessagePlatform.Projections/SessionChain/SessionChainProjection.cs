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
    // One statement for all messages of the commit (or page: a rebuild spans tenants), one for all retractions.
    private static readonly string Insert =
        $"insert into {Qualified(SessionChainTable)} (tenant_id, session_id, seq, msg_id, sender, type, body, priority, sent_at) " +
        "select * from unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::jsonb[], ?::text[], ?::timestamptz[]) " +
        "on conflict do nothing";

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
        table.Indexes.Add(new IndexDefinition($"ix_{SessionChainTable}_msg") { Columns = ["tenant_id", "session_id", "msg_id"] });
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
                messages.Select(m => m.SentAt).ToArray());
        }
        // After the inserts: a message may be retracted in the very commit or page that sent it.
        var retracted = events.Where(e => e.Data is MessageRetracted).ToList();
        if (retracted.Count > 0)
            operations.QueueSqlCommand(Retract,
                retracted.Select(e => e.TenantId).ToArray(), retracted.Select(e => e.StreamKey!).ToArray(),
                retracted.Select(e => ((MessageRetracted)e.Data).Seq).ToArray());
    }
}
