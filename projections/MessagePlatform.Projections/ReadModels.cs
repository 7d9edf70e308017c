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

    /// <summary>Per session and member, as the user-chain projection has seen it so far.</summary>
    public const string ChainMembersTable = "mp_chain_members";

    /// <summary>Per user: the last position given in its user chain.</summary>
    public const string UserHeadsTable = "mp_user_heads";

    /// <summary>Per user: one entry per message of its write-diffusion sessions (the user chain).</summary>
    public const string UserChainTable = "mp_user_chain";

    /// <summary>Per tenant: the last position given in its read feed.</summary>
    public const string FeedHeadsTable = "mp_feed_heads";

    /// <summary>Per tenant: one entry per message of a read-diffusion group, read by each member's sync.</summary>
    public const string ReadFeedTable = "mp_read_feed";

    public static string Qualified(string table) => $"{Schema}.{table}";

    public static Table NewTable(string name) =>
        new(new PostgresqlObjectName(Schema, name, SchemaUtils.IdentifierUsage.General));
}
