using JasperFx.Events;
using Marten;
using MessagePlatform.Domain;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Projections.Conversations;

/// <summary>
/// Each member's read mark as of its latest <see cref="ConversationRead"/>. Inline, in the transaction of
/// the append, so the commit lane deciding the next mark reads it current. The table is older than the
/// event (marks were once written without one), so a teardown keeps its rows, and a mark only moves forward.
/// </summary>
public sealed partial class ReadMarksProjection : SetBasedProjection
{
    /// <summary>Per (tenant, user, session): the seq up to which the user has read.</summary>
    public const string Table = "mp_read_marks";

    public const string ProjectionName = "ReadMarks";

    // Several marks of one user in one commit fold to the highest: an upsert may not touch a row twice.
    private static readonly string Upsert =
        $"insert into {Qualified(Table)} as r (tenant_id, user_id, session_id, read_seq) " +
        "select t, u, s, max(q) from unnest(?::text[], ?::text[], ?::text[], ?::bigint[]) m(t, u, s, q) group by t, u, s " +
        "on conflict (tenant_id, user_id, session_id) do update set read_seq = greatest(r.read_seq, excluded.read_seq)";

    public ReadMarksProjection()
    {
        Name = ProjectionName;
        IncludeType<ConversationRead>();
    }

    protected override void ApplyPage(IDocumentOperations operations, IReadOnlyList<IEvent> events)
    {
        var reads = events.Where(e => e.Data is ConversationRead).ToList();
        if (reads.Count == 0) return;
        operations.QueueSqlCommand(Upsert,
            reads.Select(e => e.TenantId).ToArray(), reads.Select(e => ((ConversationRead)e.Data).UserId).ToArray(),
            reads.Select(e => e.StreamKey!).ToArray(), reads.Select(e => ((ConversationRead)e.Data).Seq).ToArray());
    }
}
