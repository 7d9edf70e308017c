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
public sealed partial class SessionChainProjection : EventProjection
{
    private static readonly string Insert =
        $"insert into {Qualified(SessionChainTable)} (tenant_id, session_id, seq, msg_id, sender, type, body, priority, sent_at) " +
        "values (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?) on conflict do nothing";

    // The body goes: a retracted message is never shown to users again (auditors read the event).
    private static readonly string Retract =
        $"update {Qualified(SessionChainTable)} set retracted = true, body = null where tenant_id = ? and session_id = ? and seq = ?";

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

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        switch (e.Data)
        {
            case MessageSent m:
                operations.QueueSqlCommand(Insert, e.TenantId, e.StreamKey!, e.Version, m.MsgId, m.From, m.Type,
                    m.Body.GetRawText(), m.Priority, m.SentAt);
                break;
            case MessageRetracted r:
                operations.QueueSqlCommand(Retract, e.TenantId, e.StreamKey!, r.Seq);
                break;
        }
        return ValueTask.CompletedTask;
    }
}
