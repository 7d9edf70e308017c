using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Projections.UserChain;

/// <summary>
/// The statements of <see cref="UserChainProjection"/>. Marten binds '?' in order, so statements
/// that use a value twice first name their arguments in a one-row CTE `p`.
/// </summary>
internal static class UserChainSql
{
    private static readonly string Sessions = Qualified(ChainSessionsTable);
    private static readonly string Members = Qualified(ChainMembersTable);
    private static readonly string Chain = Qualified(UserChainTable);
    private static readonly string TenantFeed = Qualified(ReadFeedTable);
    private static readonly string Messages = Qualified(SessionChainTable);

    /// <summary>(tenant, session, type, diffusion, historyOnJoin)</summary>
    public static readonly string OpenSession = $"""
        insert into {Sessions} (tenant_id, session_id, type, diffusion, history_on_join) values (?, ?, ?, ?, ?)
        on conflict (tenant_id, session_id) do update
          set type = excluded.type, diffusion = excluded.diffusion, history_on_join = excluded.history_on_join
        """;

    /// <summary>(tenant, session, openedAt, users[]): the members a session opens with see it from its start.</summary>
    public static readonly string AddFirstMembers = $"""
        insert into {Members} (tenant_id, session_id, user_id, joined_seq, joined_at)
        select ?, ?, u, 0, ? from unnest(?::text[]) u
        on conflict do nothing
        """;

    /// <summary>(version, joinedAt, tenant, session, users[]): former members coming back start again from now.</summary>
    public static readonly string Rejoin = $"""
        update {Members} set joined_seq = ?, left_seq = null, joined_at = ?
        where tenant_id = ? and session_id = ? and user_id = any(?) and left_seq is not null
        """;

    /// <summary>
    /// (tenant, session, version, joinedAt, users[], position, maxMessages, maxRows): first-time
    /// members. Under history "all" in a write-diffusion group, the session's newest messages before
    /// their joining are added to their chains, numbered after the position: at most maxMessages
    /// each, and at most maxRows for the whole join (<see cref="HistoryOnJoinLimits"/>).
    /// </summary>
    public static readonly string Join = $"""
        with p(tenant_id, session_id, version, joined_at, users, position, max_messages, max_rows) as (
          select ?::text, ?::text, ?::bigint, ?::timestamptz, ?::text[], ?::bigint, ?::int, ?::int),
        s as (select cs.* from {Sessions} cs join p using (tenant_id, session_id)),
        added as (
          insert into {Members} (tenant_id, session_id, user_id, joined_seq, joined_at)
          select p.tenant_id, p.session_id, u, case when s.history_on_join = 'all' then 0 else p.version end, p.joined_at
          from p cross join s cross join unnest(p.users) u
          on conflict do nothing
          returning user_id),
        earlier as (
          select c.seq from {Messages} c join p on c.tenant_id = p.tenant_id and c.session_id = p.session_id
          where c.seq < p.version and exists (
            select 1 from s where s.history_on_join = 'all' and s.diffusion = 'write' and s.type <> 'room')
          order by c.seq desc
          limit (select least(p.max_messages, p.max_rows / greatest(cardinality(p.users), 1)) from p))
        insert into {Chain} (tenant_id, user_id, position, session_id, seq, kind)
        select p.tenant_id, a.user_id, p.position + row_number() over (partition by a.user_id order by e.seq), p.session_id, e.seq, 'message'
        from added a cross join earlier e cross join p
        """;

    /// <summary>(version, tenant, session, user)</summary>
    public static readonly string Leave = $"""
        update {Members} set left_seq = ? where tenant_id = ? and session_id = ? and user_id = ? and left_seq is null
        """;

    /// <summary>(diffusion, tenant, session)</summary>
    public static readonly string SwitchDiffusion = $"""
        update {Sessions} set diffusion = ? where tenant_id = ? and session_id = ?
        """;

    /// <summary>
    /// (seqs[], kinds[], positions[], tenant, session, readItemsMaxMembers, tenant, session): a run of messages,
    /// retractions and chat items (edits, reactions, pins, read marks: their seq is their own version) of one
    /// session with no membership change between them, in one statement. Each gets one entry in the
    /// chain of every current member who was there for its seq, if the session write-diffuses, or
    /// one entry in the tenant's read feed, if it is a read-diffusion group. Tenant and session are
    /// given once, as the statement's own parameters: joined through the unnested rows instead,
    /// the planner cannot see they are constants and scans every member of every session (about
    /// ten times slower per page of c2c sends over a thousand sessions, measured by the sync bench).
    /// Read marks go only to c2c sessions and groups within <see cref="ReadItemLimits"/> (the member
    /// count is looked up only for them), never to the read feed.
    /// </summary>
    public static readonly string Run = $"""
        with p as (select r.seq, r.kind, r.position from unnest(?::bigint[], ?::text[], ?::bigint[]) r(seq, kind, position)),
        chained as (
          insert into {Chain} (tenant_id, user_id, position, session_id, seq, kind)
          select m.tenant_id, m.user_id, p.position, m.session_id, p.seq, p.kind
          from {Sessions} cs
          join {Members} m on m.tenant_id = cs.tenant_id and m.session_id = cs.session_id and m.left_seq is null
          join p on m.joined_seq < p.seq
          where cs.tenant_id = ?::text and cs.session_id = ?::text and cs.diffusion = 'write' and cs.type <> 'room'
            and (p.kind <> 'read' or cs.type = 'c2c' or (
              select count(*) from {Members} n where n.tenant_id = cs.tenant_id and n.session_id = cs.session_id and n.left_seq is null) <= ?::int))
        insert into {TenantFeed} (tenant_id, position, session_id, seq, kind)
        select cs.tenant_id, p.position, cs.session_id, p.seq, p.kind
        from {Sessions} cs, p
        where cs.tenant_id = ?::text and cs.session_id = ?::text and cs.diffusion = 'read' and cs.type = 'group' and p.kind <> 'read'
        """;

    /// <summary>(tenant, position, msgId, type, body, priority, tags[], sentAt): a broadcast, once, for every user's sync.</summary>
    public static readonly string Broadcast = $"""
        insert into {Qualified(BroadcastsTable)} (tenant_id, position, msg_id, type, body, priority, tags, sent_at)
        values (?, ?, ?, ?, ?::jsonb, ?, ?::text[], ?) on conflict do nothing
        """;
}
