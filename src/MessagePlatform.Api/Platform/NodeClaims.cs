using Npgsql;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// The SQL of node claims. A node is alive exactly while it holds the session advisory lock
/// (<see cref="Namespace"/>, its node id); the table only says which transport each claimant runs.
/// A killed node's lock goes with its connection, so no heartbeat has to expire first.
/// </summary>
public static class NodeClaims
{
    /// <summary>"MPND": the advisory lock namespace of node ids (two-key locks, apart from ClusterLock's).</summary>
    public const int Namespace = 0x4D50_4E44;

    /// <summary>The key under <see cref="Namespace"/> that serializes claims; never a node id (0..1023).</summary>
    private const int ClaimOrder = -1;

    private const string Table = "mp.mp_node_claims";

    public static Task<bool> TryLockAsync(NpgsqlConnection connection, int nodeId, CancellationToken ct) =>
        connection.Command("select pg_try_advisory_lock($1, $2)", Namespace, nodeId).ScalarAsync<bool>(ct);

    /// <summary>
    /// Under a lock that orders claims, so two nodes starting together cannot both miss each other:
    /// the other live nodes and their transports, then this node's own row.
    /// </summary>
    public static async Task<List<(int NodeId, string Transport)>> RegisterAsync(
        NpgsqlConnection connection, int nodeId, string transport, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Execute(connection, "select pg_advisory_xact_lock($1, $2)", ct, Namespace, ClaimOrder);
        // Before Marten's migration runs, so the schema may not exist yet; the lock above orders this DDL too.
        await Execute(connection, $"create schema if not exists mp; create table if not exists {Table} " +
                                  "(node_id int primary key, transport text not null, claimed_at timestamptz not null)", ct);
        var others = new List<(int, string)>();
        await using (var cmd = connection.Command(
            $"""
             select c.node_id, c.transport from {Table} c
             where c.node_id <> $1 and exists (
               select 1 from pg_locks l
               where l.locktype = 'advisory' and l.granted and l.objsubid = 2
                 and l.database = (select oid from pg_database where datname = current_database())
                 and l.classid::bigint = $2 and l.objid::bigint = c.node_id)
             order by c.node_id
             """, nodeId, (long)Namespace))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) others.Add((reader.GetInt32(0), reader.GetString(1)));
        await Execute(connection, $"insert into {Table} (node_id, transport, claimed_at) values ($1, $2, now()) " +
                                  "on conflict (node_id) do update set transport = excluded.transport, claimed_at = now()",
            ct, nodeId, transport);
        await tx.CommitAsync(ct);
        return others;
    }

    /// <summary>Why this node may not join the nodes alive now, or null when it may.</summary>
    public static string? Refusal(int nodeId, string transport, IReadOnlyList<(int NodeId, string Transport)> alive)
    {
        if (alive.Count == 0) return null;
        if (transport == "inmemory")
            return $"MP_TRANSPORT=inmemory refused for MP_NODE_ID {nodeId}: node(s) {string.Join(", ", alive.Select(n => n.NodeId))} " +
                   "are running on this database, and in-memory buses do not reach each other. A cluster needs MP_TRANSPORT=rabbitmq.";
        var inMemory = alive.Where(n => n.Transport == "inmemory").Select(n => n.NodeId).ToList();
        return inMemory.Count == 0
            ? null
            : $"MP_NODE_ID {nodeId} refused to join: node(s) {string.Join(", ", inMemory)} on this database run MP_TRANSPORT=inmemory, " +
              "which cannot reach other nodes. Stop them or run every node with MP_TRANSPORT=rabbitmq.";
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] values)
    {
        await using var cmd = connection.Command(sql, values);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
