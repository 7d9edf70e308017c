using Weasel.Postgresql.Tables;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Projections.UserChain;

/// <summary>The tables of <see cref="UserChainProjection"/>; all of them are its own and rebuilt with it.</summary>
internal static class UserChainTables
{
    public static IEnumerable<Table> All()
    {
        var sessions = NewTable(ChainSessionsTable);
        sessions.AddColumn<string>("tenant_id").AsPrimaryKey();
        sessions.AddColumn<string>("session_id").AsPrimaryKey();
        sessions.AddColumn<string>("type").NotNull();
        sessions.AddColumn<string>("diffusion").NotNull();
        sessions.AddColumn<string>("history_on_join").NotNull();
        yield return sessions;

        // Members keep their row after leaving (left_seq), so the read feed still shows them what
        // was sent while they were in, and a rejoin is told apart from a first join.
        var members = NewTable(ChainMembersTable);
        members.AddColumn<string>("tenant_id").AsPrimaryKey();
        members.AddColumn<string>("session_id").AsPrimaryKey();
        members.AddColumn<string>("user_id").AsPrimaryKey();
        members.AddColumn<long>("joined_seq").NotNull();
        members.AddColumn<long>("left_seq");
        members.AddColumn<DateTimeOffset>("joined_at").NotNull();
        members.Indexes.Add(new IndexDefinition($"ix_{ChainMembersTable}_user") { Columns = ["tenant_id", "user_id"] });
        yield return members;

        var chain = NewTable(UserChainTable);
        chain.AddColumn<string>("tenant_id").AsPrimaryKey();
        chain.AddColumn<string>("user_id").AsPrimaryKey();
        chain.AddColumn<long>("position").AsPrimaryKey();
        chain.AddColumn<string>("session_id").NotNull();
        chain.AddColumn<long>("seq").NotNull();
        chain.AddColumn<string>("kind").NotNull();
        yield return chain;

        var feed = NewTable(ReadFeedTable);
        feed.AddColumn<string>("tenant_id").AsPrimaryKey();
        feed.AddColumn<long>("position").AsPrimaryKey();
        feed.AddColumn<string>("session_id").NotNull();
        feed.AddColumn<long>("seq").NotNull();
        feed.AddColumn<string>("kind").NotNull();
        // GC removes a session's rows from the feed without scanning the tenant's.
        feed.Indexes.Add(new IndexDefinition($"ix_{ReadFeedTable}_session") { Columns = ["tenant_id", "session_id", "seq"] });
        yield return feed;

        var broadcasts = NewTable(BroadcastsTable);
        broadcasts.AddColumn<string>("tenant_id").AsPrimaryKey();
        broadcasts.AddColumn<long>("position").AsPrimaryKey();
        broadcasts.AddColumn<long>("msg_id").NotNull();
        broadcasts.AddColumn<string>("type").NotNull();
        broadcasts.AddColumn("body", "jsonb");
        broadcasts.AddColumn<string>("priority").NotNull();
        broadcasts.AddColumn("tags", "text[]").NotNull();
        broadcasts.AddColumn<DateTimeOffset>("sent_at").NotNull();
        yield return broadcasts;
    }
}
