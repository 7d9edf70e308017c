using JasperFx.Events;
using Marten;
using MessagePlatform.Domain;
using MessagePlatform.Projections;
using Weasel.Postgresql.Tables;

namespace MessagePlatform.Api.Gc;

/// <summary>
/// When each session may next have something for GC: one row per session with the policy's terms and
/// a due time, indexed by that time, so a pass reads the sessions due now instead of scanning every
/// session's JSON. Inline, in the transaction of the append: a send on any node moves its session's
/// row in the same commit (and the same stream-row lock that orders it against a GC step), so the row
/// is never behind what the store holds. A GC step rewrites the row from what it left (<see cref="GcDue"/>).
/// </summary>
public sealed partial class GcDueProjection : SetBasedProjection
{
    public const string ProjectionName = "GcDue";

    private static readonly string Q = ReadModels.Qualified(GcDue.Table);

    // A session with no row is never due: every session opens with SessionOpened, which writes it.
    // Terms a policy does not have travel as 0: Marten binds '?' by runtime type, and an array of nullables has none.
    private static readonly string Open =
        $"insert into {Q} (tenant_id, session_id, keep_days, keep_last, delete_on_close) " +
        "select t, s, nullif(d, 0), nullif(l, 0), del from unnest(?::text[], ?::text[], ?::int[], ?::int[], ?::boolean[]) x(t, s, d, l, del) " +
        "on conflict do nothing";

    // days:N: due when its oldest message turns N days old (set by the first one, kept by later ones);
    // last:N: due once it holds more than N messages.
    private static readonly string Sent = $"""
        update {Q} d set messages = d.messages + m.k,
          due_at = case
            when d.keep_days is not null then coalesce(d.due_at, m.first_sent + make_interval(days => d.keep_days))
            when d.keep_last is not null and d.messages + m.k > d.keep_last then coalesce(d.due_at, m.first_sent)
            else d.due_at end
        from (select t, s, count(*) as k, min(at) as first_sent from unnest(?::text[], ?::text[], ?::timestamptz[]) x(t, s, at) group by t, s) m
        where d.tenant_id = m.t and d.session_id = m.s
        """;

    private static readonly string Closed = $"""
        update {Q} d set closed = true,
          due_at = case when d.delete_on_close then least(coalesce(d.due_at, c.at), c.at) else d.due_at end
        from unnest(?::text[], ?::text[], ?::timestamptz[]) c(t, s, at)
        where d.tenant_id = c.t and d.session_id = c.s
        """;

    private static readonly string Hold =
        $"update {Q} d set held = h.held from unnest(?::text[], ?::text[], ?::boolean[]) h(t, s, held) where d.tenant_id = h.t and d.session_id = h.s";

    public GcDueProjection()
    {
        Name = ProjectionName;
        IncludeType<SessionOpened>();
        IncludeType<MessageSent>();
        IncludeType<SessionClosed>();
        IncludeType<LegalHoldPlaced>();
        IncludeType<LegalHoldLifted>();
        var table = ReadModels.NewTable(GcDue.Table);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("session_id").AsPrimaryKey();
        table.AddColumn<int>("keep_days");
        table.AddColumn<int>("keep_last");
        table.AddColumn<bool>("delete_on_close").NotNull().DefaultValueByExpression("false");
        table.AddColumn<bool>("closed").NotNull().DefaultValueByExpression("false");
        table.AddColumn<bool>("held").NotNull().DefaultValueByExpression("false");
        table.AddColumn<long>("messages").NotNull().DefaultValueByExpression("0");
        table.AddColumn<DateTimeOffset>("due_at");
        // A step that failed: how often in a row, why, and when the next pass may try it again.
        table.AddColumn<int>("failures").NotNull().DefaultValueByExpression("0");
        table.AddColumn<string>("last_error");
        table.AddColumn<DateTimeOffset>("failed_at");
        table.AddColumn<DateTimeOffset>("retry_at");
        table.Indexes.Add(new IndexDefinition($"ix_{GcDue.Table}_due") { Columns = ["due_at", "tenant_id", "session_id"], Predicate = "due_at is not null and not held" });
        table.Indexes.Add(new IndexDefinition($"ix_{GcDue.Table}_failing") { Columns = ["failed_at"], Predicate = "failures > 0" });
        SchemaObjects.Add(table);
    }

    protected override void ApplyPage(IDocumentOperations operations, IReadOnlyList<IEvent> events)
    {
        var opened = events.Where(e => e.Data is SessionOpened).ToList();
        if (opened.Count > 0)
        {
            var terms = opened.Select(e => (SessionOpened)e.Data).Select(o => (Retention: Retention.Parse(o.Policy.Retention), o.Policy.OnClose)).ToList();
            operations.QueueSqlCommand(Open, Tenants(opened), Streams(opened),
                terms.Select(t => t.Retention.Kind == RetentionKind.Days ? t.Retention.N : 0).ToArray(),
                terms.Select(t => t.Retention.Kind == RetentionKind.Last ? t.Retention.N : 0).ToArray(),
                terms.Select(t => t.OnClose == "delete").ToArray());
        }
        var sent = events.Where(e => e.Data is MessageSent).ToList();
        if (sent.Count > 0)
            operations.QueueSqlCommand(Sent, Tenants(sent), Streams(sent), sent.Select(e => ((MessageSent)e.Data).SentAt).ToArray());
        var closed = events.Where(e => e.Data is SessionClosed).ToList();
        if (closed.Count > 0)
            operations.QueueSqlCommand(Closed, Tenants(closed), Streams(closed), closed.Select(e => ((SessionClosed)e.Data).ClosedAt).ToArray());
        // The last hold event of each session is what holds now.
        var holds = events.Where(e => e.Data is LegalHoldPlaced or LegalHoldLifted)
            .GroupBy(e => (e.TenantId, e.StreamKey)).Select(g => g.Last()).ToList();
        if (holds.Count > 0)
            operations.QueueSqlCommand(Hold, Tenants(holds), Streams(holds), holds.Select(e => e.Data is LegalHoldPlaced).ToArray());
    }

    private static string[] Tenants(List<IEvent> events) => [.. events.Select(e => e.TenantId)];
    private static string[] Streams(List<IEvent> events) => [.. events.Select(e => e.StreamKey!)];
}
