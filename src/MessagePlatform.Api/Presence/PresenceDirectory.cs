using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Domain;
using Npgsql;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Presence;

public sealed record PresenceView(string UserId, bool Online, int Connections, DateTimeOffset? LastSeenAt);

/// <summary>
/// Who is online: the live connections of the cluster-wide registry (a dead node's do not count),
/// with when each user was last seen from the tracked state. Looked up by primary key and the
/// registry's (tenant, user) index, never by scanning.
/// </summary>
public sealed class PresenceDirectory(NpgsqlDataSource db, TimeProvider clock)
{
    public const string Table = "mp_presence";
    public const int MaxQuery = 1_000;
    private static readonly string Qualified = Projections.ReadModels.Qualified(Table);

    public static void AddTo(StoreOptions options)
    {
        var table = NewTable(Table);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("user_id").AsPrimaryKey();
        table.AddColumn<bool>("online").NotNull();
        table.AddColumn<DateTimeOffset>("absent_since");
        table.AddColumn<DateTimeOffset>("last_seen_at");
        table.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition($"ix_{Table}_online") { Columns = ["tenant_id"], Predicate = "online" });
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    private static readonly string QuerySql = $"""
        select u, coalesce(x.connections, 0)::int, coalesce(p.absent_since, p.last_seen_at)
        from unnest($2::text[]) u
        left join (
          select c.user_id, count(*) as connections from {Qualified(ConnectionRegistry.ConnectionsTable)} c
          join {Qualified(ConnectionRegistry.NodesTable)} n on n.node_id = c.node_id and n.heartbeat_at > now() - $3::interval
          where c.tenant_id = $1 and c.user_id = any($2) group by c.user_id) x on x.user_id = u
        left join {Qualified} p on p.tenant_id = $1 and p.user_id = u
        """;

    public async Task<IReadOnlyList<PresenceView>> QueryAsync(string tenantId, IReadOnlyList<string> userIds, CancellationToken ct)
    {
        var distinct = userIds.Distinct(StringComparer.Ordinal).ToArray();
        await using var cmd = db.Command(QuerySql, tenantId, distinct, ConnectionRegistry.NodeExpiry);
        var now = clock.GetUtcNow();
        var found = new Dictionary<string, PresenceView>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var connections = reader.GetInt32(1);
            var lastSeen = reader.IsDBNull(2) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(2);
            found[reader.GetString(0)] = new PresenceView(reader.GetString(0), connections > 0, connections, connections > 0 ? now : lastSeen);
        }
        return [.. distinct.Select(u => found[u])];
    }

    /// <summary>The tracked users counted online, per tenant.</summary>
    public async Task<Dictionary<string, Dictionary<string, PresenceState>>> TrackedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = connection.Command($"select tenant_id, user_id, online, absent_since, last_seen_at from {Qualified} where online");
        var tracked = new Dictionary<string, Dictionary<string, PresenceState>>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var state = new PresenceState(reader.GetString(1), reader.GetBoolean(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4));
            (tracked.TryGetValue(reader.GetString(0), out var users) ? users : tracked[reader.GetString(0)] = [])[state.UserId] = state;
        }
        return tracked;
    }

    /// <summary>The users holding a connection on a live node, per tenant.</summary>
    public static async Task<Dictionary<string, HashSet<string>>> ConnectedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = connection.Command(
            $"""
             select distinct c.tenant_id, c.user_id from {Qualified(ConnectionRegistry.ConnectionsTable)} c
             join {Qualified(ConnectionRegistry.NodesTable)} n on n.node_id = c.node_id and n.heartbeat_at > now() - $1::interval
             """, ConnectionRegistry.NodeExpiry);
        var connected = new Dictionary<string, HashSet<string>>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            (connected.TryGetValue(reader.GetString(0), out var users) ? users : connected[reader.GetString(0)] = []).Add(reader.GetString(1));
        return connected;
    }

    /// <summary>Queues the changed states into the unit of work that records their events.</summary>
    public static void QueueChanges(IDocumentOperations operations, string tenantId, IReadOnlyList<PresenceState> changed)
    {
        foreach (var s in changed)
            operations.QueueSqlCommand(
                $"""
                 insert into {Qualified} (tenant_id, user_id, online, absent_since, last_seen_at)
                 values (?, ?, ?, case when ? then ?::timestamptz end, case when ? then ?::timestamptz end)
                 on conflict (tenant_id, user_id) do update
                   set online = excluded.online, absent_since = excluded.absent_since, last_seen_at = excluded.last_seen_at
                 """, tenantId, s.UserId, s.Online, s.AbsentSince.HasValue, s.AbsentSince ?? default, s.LastSeenAt.HasValue,
                s.LastSeenAt ?? default);
    }
}
