using Marten;
using MessagePlatform.Api.Conversations;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Webhooks;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Gc;

/// <summary>
/// The rows derived from a session's events, removed in the unit of work that removes the events.
/// Marten's compaction and tombstones touch only the event tables, so without these a read model
/// would go on showing what the store no longer has.
/// </summary>
internal static class DerivedRows
{
    private static readonly string[] UpToSeq =
    [
        $"delete from {Qualified(SessionChainTable)} where tenant_id = ? and session_id = ? and seq <= ?",
        // A message's reactions and its pin go with it (seq is the message's).
        $"delete from {Qualified(MessageReactionsTable)} where tenant_id = ? and session_id = ? and seq <= ?",
        $"delete from {Qualified(SessionPinsTable)} where tenant_id = ? and session_id = ? and seq <= ?",
        // Through the membership rows (kept after leaving), so the chain's primary key leads the way.
        $"""
         delete from {Qualified(UserChainTable)} u using {Qualified(ChainMembersTable)} m
         where m.tenant_id = ? and m.session_id = ? and u.tenant_id = m.tenant_id and u.user_id = m.user_id
           and u.session_id = m.session_id and u.seq <= ?
         """,
        $"delete from {Qualified(ReadFeedTable)} where tenant_id = ? and session_id = ? and seq <= ?",
        // Chat items go with the message they are about (edits, reactions, pins), else with their own event.
        $"delete from {Qualified(ChatItemsTable)} where tenant_id = ? and session_id = ? and coalesce(msg_seq, version) <= ?",
        $"delete from {Qualified(SendReceipts.Table)} where tenant_id = ? and session_id = ? and seq <= ?",
        // Settled deliveries that start within the removed messages. A pending one is left to go out (its
        // session.closed may be why the session is removed); once delivered it holds no body, once parked
        // it is pruned after Webhooks:ParkedRetentionHours.
        $"delete from {Qualified(WebhookTables.Deliveries)} where tenant_id = ? and session_id = ? and first_seq <= ? and status <> 'pending'",
    ];

    private static readonly string[] WholeSession =
    [
        $"delete from {Qualified(ChainMembersTable)} where tenant_id = ? and session_id = ?",
        $"delete from {Qualified(ChainSessionsTable)} where tenant_id = ? and session_id = ?",
        $"delete from {Qualified(ConversationList.ReadMarksTable)} where tenant_id = ? and session_id = ?",
        $"delete from {Qualified(ConversationSettingsStore.Table)} where tenant_id = ? and session_id = ?",
        $"delete from {Qualified(WebhookTables.Registrations)} where tenant_id = ? and session_id = ?",
    ];

    /// <summary>Messages up to and including <paramref name="seq"/>, wherever they were copied.</summary>
    public static void RemoveThrough(IDocumentOperations operations, string tenantId, string sessionId, long seq)
    {
        foreach (var sql in UpToSeq) operations.QueueSqlCommand(sql, tenantId, sessionId, seq);
    }

    /// <summary>Everything of the session: its messages, memberships, read marks, webhook and settled deliveries.</summary>
    public static void RemoveSession(IDocumentOperations operations, string tenantId, string sessionId)
    {
        RemoveThrough(operations, tenantId, sessionId, long.MaxValue);
        foreach (var sql in WholeSession) operations.QueueSqlCommand(sql, tenantId, sessionId);
    }
}
