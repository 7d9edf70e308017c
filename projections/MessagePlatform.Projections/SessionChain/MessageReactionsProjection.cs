using JasperFx.Events;
using Marten;
using MessagePlatform.Domain;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Projections.SessionChain;

/// <summary>
/// Who put which reaction on which message, one row each, inline: the reaction rules read it in the
/// lane, so a reaction counts from the moment it is answered. Rows go with their message (GC's derived rows).
/// </summary>
public sealed partial class MessageReactionsProjection : SetBasedProjection
{
    private static readonly string Add =
        $"insert into {Qualified(MessageReactionsTable)} (tenant_id, session_id, seq, reaction, user_id) " +
        "select * from unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[]) on conflict do nothing";

    private static readonly string Remove =
        $"delete from {Qualified(MessageReactionsTable)} r " +
        "using unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[]) x(tenant_id, session_id, seq, reaction, user_id) " +
        "where r.tenant_id = x.tenant_id and r.session_id = x.session_id and r.seq = x.seq and r.reaction = x.reaction and r.user_id = x.user_id";

    public const string ProjectionName = "MessageReactions";

    public MessageReactionsProjection()
    {
        Name = ProjectionName;
        IncludeType<ReactionAdded>();
        IncludeType<ReactionRemoved>();
        var table = NewTable(MessageReactionsTable);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("session_id").AsPrimaryKey();
        table.AddColumn<long>("seq").AsPrimaryKey();
        table.AddColumn<string>("reaction").AsPrimaryKey();
        table.AddColumn<string>("user_id").AsPrimaryKey();
        SchemaObjects.Add(table);
        Options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
    }

    protected override void ApplyPage(IDocumentOperations operations, IReadOnlyList<IEvent> events)
    {
        // Each (message, reaction, user) ends as its last event in the page says: both statements are idempotent.
        // A commit hands over all of its events, not only the included types.
        var last = events.Where(e => e.Data is ReactionAdded or ReactionRemoved)
            .Select(e => (e, Key: e.Data switch
            {
                ReactionAdded a => (a.Seq, a.Reaction, a.By),
                ReactionRemoved r => (r.Seq, r.Reaction, r.By),
                _ => default,
            }))
            .GroupBy(x => (x.e.TenantId, x.e.StreamKey, x.Key)).Select(g => g.Last()).ToList();
        Queue(operations, Add, last.Where(x => x.e.Data is ReactionAdded).ToList());
        Queue(operations, Remove, last.Where(x => x.e.Data is ReactionRemoved).ToList());
    }

    private static void Queue(IDocumentOperations operations, string sql, List<(IEvent e, (long Seq, string Reaction, string By) Key)> rows)
    {
        if (rows.Count == 0) return;
        operations.QueueSqlCommand(sql,
            rows.Select(x => x.e.TenantId).ToArray(), rows.Select(x => x.e.StreamKey!).ToArray(), rows.Select(x => x.Key.Seq).ToArray(),
            rows.Select(x => x.Key.Reaction).ToArray(), rows.Select(x => x.Key.By).ToArray());
    }
}
