using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using MessagePlatform.Projections;
using Npgsql;

namespace MessagePlatform.Api.Messages;

/// <summary>History pages from the session chain, which the append keeps in its own transaction.</summary>
public sealed class SessionHistory(NpgsqlDataSource db)
{
    private static readonly string Table = ReadModels.Qualified(ReadModels.SessionChainTable);
    private static readonly string Reactions = ReadModels.Qualified(ReadModels.MessageReactionsTable);

    /// <summary>The message a retraction aims at, if the session has it.</summary>
    public async Task<RetractTarget?> FindAsync(string tenantId, string sessionId, long msgId, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select seq, sender, sent_at, retracted from {Table} where tenant_id = $1 and session_id = $2 and msg_id = $3", tenantId, sessionId, msgId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new RetractTarget(msgId, reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetBoolean(3))
            : null;
    }

    /// <summary>The message a reply or a pin names, if the session has it.</summary>
    public async Task<MessageRef?> FindRefAsync(string tenantId, string sessionId, long msgId, CancellationToken ct) =>
        await FindAsync(tenantId, sessionId, msgId, ct) is { } t ? new MessageRef(t.MsgId, t.Seq, t.From, t.SentAt, t.Retracted) : null;

    /// <summary>
    /// Messages after <paramref name="afterSeq"/>, or else the last ones before <paramref name="beforeSeq"/>,
    /// ascending; one more than the limit is read to tell whether there are more. Nothing at or
    /// before <paramref name="startAfter"/> is shown (a member's history under "fromJoin").
    /// </summary>
    public async Task<(IReadOnlyList<MessageView> Messages, bool HasMore)> ReadAsync(
        string tenantId, string sessionId, long? afterSeq, long? beforeSeq, int limit, long startAfter, CancellationToken ct)
    {
        var backwards = afterSeq is null && beforeSeq is not null;
        await using var cmd = db.Command(
            $"""
             select {MessageRows.Columns("c")} from {Table} c
             where c.tenant_id = $1 and c.session_id = $2 and c.seq > $3 and c.seq < $4
             order by c.seq {(backwards ? "desc" : "asc")} limit $5
             """, tenantId, sessionId, Math.Max(afterSeq ?? 0L, startAfter), beforeSeq ?? long.MaxValue, limit + 1);
        var messages = new List<MessageView>(limit + 1);
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) messages.Add(MessageRows.Read(reader, 0));
        var hasMore = messages.Count > limit;
        if (hasMore) messages.RemoveAt(messages.Count - 1);
        if (backwards) messages.Reverse();
        return (messages, hasMore);
    }

    /// <summary>The replies to <paramref name="replyTo"/> after <paramref name="afterSeq"/>, ascending, as history shows them.</summary>
    public async Task<(IReadOnlyList<MessageView> Messages, bool HasMore)> ReadRepliesAsync(
        string tenantId, string sessionId, long replyTo, long afterSeq, int limit, long startAfter, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"""
             select {MessageRows.Columns("c")} from {Table} c
             where c.tenant_id = $1 and c.session_id = $2 and c.reply_to = $3 and c.seq > $4
             order by c.seq limit $5
             """, tenantId, sessionId, replyTo, Math.Max(afterSeq, startAfter), limit + 1);
        var messages = new List<MessageView>(limit + 1);
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) messages.Add(MessageRows.Read(reader, 0));
        var hasMore = messages.Count > limit;
        if (hasMore) messages.RemoveAt(messages.Count - 1);
        return (messages, hasMore);
    }

    /// <summary>
    /// The page with each message's reactions: counts, and for <paramref name="viewer"/> (a user token's
    /// user) whether it is among them. One query for the whole page.
    /// </summary>
    public async Task<IReadOnlyList<MessageView>> WithReactionsAsync(
        string tenantId, string sessionId, IReadOnlyList<MessageView> messages, string? viewer, CancellationToken ct)
    {
        if (messages.Count == 0) return messages;
        await using var cmd = db.Command(
            $"""
             select seq, reaction, count(*)::int, coalesce(bool_or(user_id = $4), false) from {Reactions}
             where tenant_id = $1 and session_id = $2 and seq = any($3) group by seq, reaction order by seq, reaction
             """, tenantId, sessionId, messages.Select(m => m.Seq).ToArray(), viewer ?? "");
        var found = new Dictionary<long, Dictionary<string, ReactionCount>>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                var seq = reader.GetInt64(0);
                if (!found.TryGetValue(seq, out var counts)) found[seq] = counts = new Dictionary<string, ReactionCount>(StringComparer.Ordinal);
                counts[reader.GetString(1)] = new ReactionCount(reader.GetInt32(2), viewer is null ? null : reader.GetBoolean(3));
            }
        return [.. messages.Select(m => m with { Reactions = found.TryGetValue(m.Seq, out var counts) ? counts : NoReactions })];
    }

    private static readonly IReadOnlyDictionary<string, ReactionCount> NoReactions = new Dictionary<string, ReactionCount>();
}
