using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Messages;
using MessagePlatform.Domain;
using MessagePlatform.Projections;
using Npgsql;
using System.Text.Json.Serialization;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Sync;

/// <summary>
/// A message, a retraction, or (with no session, seq nor sender) a broadcast with its tags. Messages
/// show their latest body, and since v1.1 `edited`, `editedAt`, `replyTo` and `mentions` when they have them.
/// </summary>
public sealed record SyncItem(
    string Kind, string? SessionId, string MsgId, long? Seq, string? From, string Type, System.Text.Json.JsonElement? Body,
    string Priority, DateTimeOffset SentAt, bool Retracted, IReadOnlyList<string>? Tags = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Edited = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EditedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReplyTo = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Mentions = null) : SyncEntry;

/// <summary>What a user's sync may show: timeline entries sent from one time, broadcasts from another.</summary>
public sealed record SyncHorizon(DateTimeOffset TimelineFrom, DateTimeOffset BroadcastsFrom);

/// <summary>
/// Reads a page of a user's sync: its user chain after the cursor, and the tenant's read feed after
/// the cursor filtered to the groups the user was a member of at each message. Both tables are
/// written only by the projection daemon, in position order, so what a reader sees is a prefix.
/// Entries older than the tenant's timeline retention are hidden at once; GC's sweeper removes
/// them later. Removed messages leave no gap to report: the cursor moves past positions, not seqs.
/// </summary>
public sealed class SyncReader(NpgsqlDataSource db)
{
    /// <summary>Feed rows looked at per call: bounds the work for a user in few of a tenant's big groups.</summary>
    public const int FeedScanCap = 2_000;

    // Entries whose message or chat item is gone (GC) or past the horizon are left out, as before v1.1.
    private static readonly string ChainQuery = $"""
        select u.position, u.kind, u.session_id, {SyncChatItems.Columns("i")}, {MessageRows.Columns("c")}
        from {Qualified(UserChainTable)} u
        left join {Qualified(SessionChainTable)} c on u.kind in ('message', 'retract')
             and c.tenant_id = u.tenant_id and c.session_id = u.session_id and c.seq = u.seq and c.sent_at >= $5
        left join {Qualified(ChatItemsTable)} i on u.kind not in ('message', 'retract')
             and i.tenant_id = u.tenant_id and i.session_id = u.session_id and i.version = u.seq and i.at >= $5
        where u.tenant_id = $1 and u.user_id = $2 and u.position > $3 and (c.seq is not null or i.version is not null)
        order by u.position limit $4
        """;

    // The window is every feed row after the cursor (up to the cap); rows of groups the user was not
    // in at that message, or past the tenant's timeline retention, come back without a message, so
    // the cursor can still move past them.
    private static readonly string FeedQuery = $"""
        with w as (
          select f.position, f.kind, f.session_id, f.seq from {Qualified(ReadFeedTable)} f
          where f.tenant_id = $1 and f.position > $3 order by f.position limit $4)
        select w.position, w.kind, w.session_id, {SyncChatItems.Columns("i")}, {MessageRows.Columns("c")}
        from w
        left join {Qualified(ChainMembersTable)} m on m.tenant_id = $1 and m.session_id = w.session_id and m.user_id = $2
             and w.seq > m.joined_seq and (m.left_seq is null or w.seq < m.left_seq)
        left join {Qualified(SessionChainTable)} c on m.user_id is not null and w.kind in ('message', 'retract')
             and c.tenant_id = $1 and c.session_id = w.session_id and c.seq = w.seq and c.sent_at >= $5
        left join {Qualified(ChatItemsTable)} i on m.user_id is not null and w.kind not in ('message', 'retract')
             and i.tenant_id = $1 and i.session_id = w.session_id and i.version = w.seq and i.at >= $5
        order by w.position
        """;

    // Broadcasts are read like the feed: a window after the cursor, each row visible or not for this
    // user (global ones within retention; tag ones sent while the user held one of their tags).
    private static readonly string BroadcastQuery = $"""
        with w as (
          select b.* from {Qualified(BroadcastsTable)} b where b.tenant_id = $1 and b.position > $3 order by b.position limit $4)
        select w.position, w.msg_id, w.type, w.body, w.priority, w.tags, w.sent_at,
               w.sent_at >= $5 and (cardinality(w.tags) = 0 or exists (
                 select 1 from {Qualified(Broadcasts.UserTags.Table)} t
                 where t.tenant_id = $1 and t.user_id = $2 and t.tag = any(w.tags)
                   and t.held_from <= w.sent_at and (t.held_until is null or t.held_until > w.sent_at)))
        from w order by w.position
        """;

    public async Task<SyncMerge.Page<SyncEntry>> ReadAsync(
        string tenantId, string userId, SyncCursor cursor, int limit, SyncHorizon horizon, CancellationToken ct)
    {
        var chain = await QueryAsync(ChainQuery, tenantId, userId, cursor.UserPosition, limit + 1, horizon.TimelineFrom, ct);
        var feed = await QueryAsync(FeedQuery, tenantId, userId, cursor.FeedPosition, FeedScanCap, horizon.TimelineFrom, ct);
        var broadcasts = await BroadcastsAsync(tenantId, userId, cursor.BroadcastPosition, horizon.BroadcastsFrom, ct);
        return SyncMerge.Merge(cursor, [.. chain.Select(Found)], Window(feed, cursor.FeedPosition), Window(broadcasts, cursor.BroadcastPosition), limit);
    }

    private static SyncWindow<SyncEntry> Window(List<SourcedItem<SyncEntry?>> scanned, long from) => new(
        [.. scanned.Where(w => w.Item is not null).Select(Found)], scanned.Count == 0 ? from : scanned[^1].Position,
        scanned.Count == FeedScanCap);

    private async Task<List<SourcedItem<SyncEntry?>>> BroadcastsAsync(
        string tenantId, string userId, long after, DateTimeOffset visibleFrom, CancellationToken ct)
    {
        await using var cmd = db.Command(BroadcastQuery, tenantId, userId, after, FeedScanCap, visibleFrom);
        var rows = new List<SourcedItem<SyncEntry?>>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (position, msgId, sentAt) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(6));
            var item = !reader.GetBoolean(7) ? null : new SyncItem("broadcast", null, msgId.ToString(), null, null, reader.GetString(2),
                reader.IsDBNull(3) ? null : System.Text.Json.JsonDocument.Parse(reader.GetString(3)).RootElement.Clone(),
                reader.GetString(4), sentAt, false, reader.GetFieldValue<string[]>(5));
            rows.Add(new SourcedItem<SyncEntry?>(position, sentAt, msgId, item));
        }
        return rows;
    }

    private static SourcedItem<SyncEntry> Found(SourcedItem<SyncEntry?> row) => new(row.Position, row.At, row.MsgId, row.Item!);

    private async Task<List<SourcedItem<SyncEntry?>>> QueryAsync(
        string sql, string tenantId, string userId, long after, int limit, DateTimeOffset visibleFrom, CancellationToken ct)
    {
        await using var cmd = db.Command(sql, tenantId, userId, after, limit, visibleFrom);
        var rows = new List<SourcedItem<SyncEntry?>>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        const int message = 3 + SyncChatItems.Count;
        while (await reader.ReadAsync(ct))
        {
            var (position, kind, sessionId) = (reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
            if (SyncChatItems.Read(reader, 3, kind, sessionId) is { } chat)
            {
                rows.Add(new SourcedItem<SyncEntry?>(position, chat.At, chat.MsgId, chat.Item));
                continue;
            }
            if (reader.IsDBNull(message))
            {
                rows.Add(new SourcedItem<SyncEntry?>(position, default, 0, null));
                continue;
            }
            var m = MessageRows.Read(reader, message);
            var item = new SyncItem(kind, sessionId, m.MsgId, m.Seq, m.From, m.Type, m.Body, m.Priority, m.SentAt, m.Retracted,
                Edited: m.Edited, EditedAt: m.EditedAt, ReplyTo: m.ReplyTo, Mentions: m.Mentions);
            rows.Add(new SourcedItem<SyncEntry?>(position, m.SentAt, long.Parse(m.MsgId), item));
        }
        return rows;
    }
}
