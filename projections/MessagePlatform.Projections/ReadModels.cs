using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace MessagePlatform.Projections;

/// <summary>
/// The plain SQL tables the projections write. Timelines run to millions of rows, so they are
/// rows with indexes, not JSON documents. Every table leads with tenant_id: conjoined tenancy.
/// </summary>
public static class ReadModels
{
    public const string Schema = "mp";

    /// <summary>Per session: every message by seq (the session chain).</summary>
    public const string SessionChainTable = "mp_session_chain";

    /// <summary>Per session, as the user-chain projection has seen it so far: type and diffusion.</summary>
    public const string ChainSessionsTable = "mp_chain_sessions";

    /// <summary>Per message: who put which reaction on it (key: tenant, session, the message's seq, reaction, user).</summary>
    public const string MessageReactionsTable = "mp_message_reactions";

    /// <summary>Per session: its pinned messages, with who pinned them and when.</summary>
    public const string SessionPinsTable = "mp_session_pins";

    /// <summary>Per session and member, as the user-chain projection has seen it so far.</summary>
    public const string ChainMembersTable = "mp_chain_members";

    /// <summary>Per user: one entry per message of its write-diffusion sessions (the user chain).</summary>
    public const string UserChainTable = "mp_user_chain";

    /// <summary>Per tenant: one entry per message of a read-diffusion group, read by each member's sync.</summary>
    public const string ReadFeedTable = "mp_read_feed";

    /// <summary>
    /// Per session and event version: the details of an edit, reaction, pin, unpin or read mark that
    /// sync items and hot-room reaction counts show (the session chain holds messages only).
    /// </summary>
    public const string ChatItemsTable = "mp_chat_items";

    /// <summary>Per tenant: each broadcast kept for sync, once, read by every user it targets.</summary>
    public const string BroadcastsTable = "mp_broadcasts";

    /// <summary>
    /// A chain or feed position is the projected event's global sequence times 65,536, plus a row
    /// number where one event yields several rows for one user (history backfilled on joining).
    /// </summary>
    public const int PositionShift = 16;

    /// <summary>At most this many earlier messages are added to a new member's chain (history "all").</summary>
    public const int MaxBackfill = 10_000;

    public static long PositionOf(long eventSequence) => eventSequence << PositionShift;

    public static string Qualified(string table) => $"{Schema}.{table}";

    public static Table NewTable(string name) =>
        new(new PostgresqlObjectName(Schema, name, SchemaUtils.IdentifierUsage.General));
}
