using JasperFx.Events;
using Marten;
using MessagePlatform.Domain;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Projections.SessionChain;

/// <summary>
/// A session's pinned messages with who pinned them and when, inline (the session's own state holds
/// only their msgIds, which is what the pin rules need). A retraction unpins, as the session state does.
/// </summary>
public sealed partial class SessionPinsProjection : SetBasedProjection
{
    private static readonly string Pin =
        $"insert into {Qualified(SessionPinsTable)} (tenant_id, session_id, msg_id, seq, pinned_by, pinned_at) " +
        "select * from unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::timestamptz[]) " +
        "on conflict (tenant_id, session_id, msg_id) do update set pinned_by = excluded.pinned_by, pinned_at = excluded.pinned_at";

    private static readonly string Unpin =
        $"delete from {Qualified(SessionPinsTable)} p using unnest(?::text[], ?::text[], ?::bigint[]) x(tenant_id, session_id, msg_id) " +
        "where p.tenant_id = x.tenant_id and p.session_id = x.session_id and p.msg_id = x.msg_id";

    public const string ProjectionName = "SessionPins";

    public SessionPinsProjection()
    {
        Name = ProjectionName;
        IncludeType<MessagePinned>();
        IncludeType<MessageUnpinned>();
        IncludeType<MessageRetracted>();
        var table = NewTable(SessionPinsTable);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("session_id").AsPrimaryKey();
        table.AddColumn<long>("msg_id").AsPrimaryKey();
        table.AddColumn<long>("seq").NotNull();
        table.AddColumn<string>("pinned_by").NotNull();
        table.AddColumn<DateTimeOffset>("pinned_at").NotNull();
        SchemaObjects.Add(table);
        Options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
    }

    protected override void ApplyPage(IDocumentOperations operations, IReadOnlyList<IEvent> events)
    {
        // Each message ends as its last pin, unpin or retraction in the page says.
        // A commit hands over all of its events, not only the included types.
        var last = events.Where(e => e.Data is MessagePinned or MessageUnpinned or MessageRetracted)
            .Select(e => (e, MsgId: e.Data switch
            {
                MessagePinned p => p.MsgId,
                MessageUnpinned u => u.MsgId,
                MessageRetracted r => r.MsgId,
                _ => 0L,
            }))
            .GroupBy(x => (x.e.TenantId, x.e.StreamKey, x.MsgId)).Select(g => g.Last().e).ToList();
        var pins = last.Where(e => e.Data is MessagePinned).ToList();
        if (pins.Count > 0)
        {
            var data = pins.Select(e => (MessagePinned)e.Data).ToList();
            operations.QueueSqlCommand(Pin,
                pins.Select(e => e.TenantId).ToArray(), pins.Select(e => e.StreamKey!).ToArray(), data.Select(p => p.MsgId).ToArray(),
                data.Select(p => p.Seq).ToArray(), data.Select(p => p.By).ToArray(), data.Select(p => p.At).ToArray());
        }
        var gone = last.Where(e => e.Data is not MessagePinned).ToList();
        if (gone.Count > 0)
            operations.QueueSqlCommand(Unpin,
                gone.Select(e => e.TenantId).ToArray(), gone.Select(e => e.StreamKey!).ToArray(),
                gone.Select(e => e.Data is MessageUnpinned u ? u.MsgId : ((MessageRetracted)e.Data).MsgId).ToArray());
    }
}
