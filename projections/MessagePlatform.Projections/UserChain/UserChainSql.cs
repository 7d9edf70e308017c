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
    private static readonly string Heads = Qualified(UserHeadsTable);
    private static readonly string Chain = Qualified(UserChainTable);
    private static readonly string TenantFeedHeads = Qualified(FeedHeadsTable);
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
    /// (tenant, session, version, joinedAt, users[]): first-time members. Under history "all" in a
    /// write-diffusion group, the messages before their joining are appended to their chains.
    /// </summary>
    public static readonly string Join = $"""
        with p(tenant_id, session_id, version, joined_at, users) as (select ?::text, ?::text, ?::bigint, ?::timestamptz, ?::text[]),
        s as (select cs.* from {Sessions} cs join p using (tenant_id, session_id)),
        added as (
          insert into {Members} (tenant_id, session_id, user_id, joined_seq, joined_at)
          select p.tenant_id, p.session_id, u, case when s.history_on_join = 'all' then 0 else p.version end, p.joined_at
          from p cross join s cross join unnest(p.users) u
          on conflict do nothing
          returning user_id),
        todo as (
          select a.user_id, c.seq,
                 row_number() over (partition by a.user_id order by c.seq) as rn,
                 count(*) over (partition by a.user_id) as n
          from added a cross join p cross join s
          join {Messages} c on c.tenant_id = p.tenant_id and c.session_id = p.session_id and c.seq < p.version
          where s.history_on_join = 'all' and s.diffusion = 'write' and s.type <> 'room'),
        bumped as (
          insert into {Heads} (tenant_id, user_id, position)
          select distinct p.tenant_id, t.user_id, t.n from todo t cross join p
          on conflict (tenant_id, user_id) do update set position = {Heads}.position + excluded.position
          returning user_id, position)
        insert into {Chain} (tenant_id, user_id, position, session_id, seq, kind)
        select p.tenant_id, t.user_id, b.position - t.n + t.rn, p.session_id, t.seq, 'message'
        from todo t join bumped b on b.user_id = t.user_id cross join p
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
    /// (tenant, session, seq, kind): one entry in every current member's chain who was there for
    /// message seq, if the session writes-diffuses.
    /// </summary>
    public static readonly string FanOut = $"""
        with p(tenant_id, session_id, seq, kind) as (select ?::text, ?::text, ?::bigint, ?::text),
        bumped as (
          insert into {Heads} (tenant_id, user_id, position)
          select m.tenant_id, m.user_id, 1 from p
          join {Sessions} cs on cs.tenant_id = p.tenant_id and cs.session_id = p.session_id
                             and cs.diffusion = 'write' and cs.type <> 'room'
          join {Members} m on m.tenant_id = p.tenant_id and m.session_id = p.session_id and m.left_seq is null
                          and m.joined_seq < p.seq
          on conflict (tenant_id, user_id) do update set position = {Heads}.position + 1
          returning user_id, position)
        insert into {Chain} (tenant_id, user_id, position, session_id, seq, kind)
        select p.tenant_id, b.user_id, b.position, p.session_id, p.seq, p.kind from bumped b cross join p
        """;

    /// <summary>(tenant, session, seq, kind): one entry in the tenant's read feed, if the session is a read-diffusion group.</summary>
    public static readonly string Feed = $"""
        with p(tenant_id, session_id, seq, kind) as (select ?::text, ?::text, ?::bigint, ?::text),
        head as (
          insert into {TenantFeedHeads} (tenant_id, position)
          select p.tenant_id, 1 from p
          join {Sessions} cs on cs.tenant_id = p.tenant_id and cs.session_id = p.session_id
                             and cs.diffusion = 'read' and cs.type = 'group'
          on conflict (tenant_id) do update set position = {TenantFeedHeads}.position + 1
          returning position)
        insert into {TenantFeed} (tenant_id, position, session_id, seq, kind)
        select p.tenant_id, h.position, p.session_id, p.seq, p.kind from head h cross join p
        """;
}
