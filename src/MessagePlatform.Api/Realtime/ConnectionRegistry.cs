using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Projections;
using Npgsql;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Which user is connected to which gateway node, cluster-wide, in PostgreSQL. Each node beats
/// every few seconds; a node whose beat is older than <see cref="NodeExpiry"/> is dead and its
/// connections do not count (the MQTT will-message idea, for a node killed without a word).
/// A restarted node first forgets the connections it had before.
/// </summary>
public sealed class ConnectionRegistry(NpgsqlDataSource db, PlatformOptions platform, ILogger<ConnectionRegistry> log) : BackgroundService
{
    public const string ConnectionsTable = "mp_connections";
    public const string NodesTable = "mp_nodes";
    public static readonly TimeSpan Beat = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan NodeExpiry = TimeSpan.FromSeconds(20);
    private static readonly string Connections = ReadModels.Qualified(ConnectionsTable);
    private static readonly string Nodes = ReadModels.Qualified(NodesTable);

    public static void AddTo(StoreOptions options)
    {
        var connections = ReadModels.NewTable(ConnectionsTable);
        connections.AddColumn<int>("node_id").AsPrimaryKey();
        connections.AddColumn<string>("connection_id").AsPrimaryKey();
        connections.AddColumn<string>("tenant_id").NotNull();
        connections.AddColumn<string>("user_id").NotNull();
        connections.AddColumn<string>("transport").NotNull();
        connections.AddColumn<DateTimeOffset>("connected_at").NotNull();
        connections.Indexes.Add(new Weasel.Postgresql.Tables.IndexDefinition($"ix_{ConnectionsTable}_user") { Columns = ["tenant_id", "user_id"] });
        options.Storage.ExtendedSchemaObjects.Add(connections);

        var nodes = ReadModels.NewTable(NodesTable);
        nodes.AddColumn<int>("node_id").AsPrimaryKey();
        nodes.AddColumn<DateTimeOffset>("heartbeat_at").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(nodes);
    }

    // Disconnects that could not be recorded (the database was down): retried before every beat, so
    // a client gone during an outage never stays online once the node beats again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _owed = new();

    public async Task ConnectedAsync(string connectionId, string tenantId, string userId, string transport, CancellationToken ct)
    {
        try
        {
            await ExecuteAsync($"insert into {Connections} (node_id, connection_id, tenant_id, user_id, transport, connected_at) " +
                               "values ($1, $2, $3, $4, $5, now()) on conflict do nothing", ct, platform.NodeId, connectionId, tenantId, userId, transport);
        }
        catch
        {
            // The insert may have committed before its answer was lost: the connection is refused, so its row is owed a delete.
            _owed[connectionId] = true;
            throw;
        }
    }

    /// <summary>Records a disconnect; never throws: one the database cannot take now is retried with the next beat.</summary>
    public async Task DisconnectedAsync(string connectionId)
    {
        try
        {
            await ExecuteAsync($"delete from {Connections} where node_id = $1 and connection_id = $2", CancellationToken.None, platform.NodeId, connectionId);
        }
        catch (Exception e)
        {
            _owed[connectionId] = true;
            log.LogWarning(e, "Disconnect of {ConnectionId} on node {NodeId} not recorded; retried with the next heartbeat", connectionId, platform.NodeId);
        }
    }

    private async Task SettleOwedAsync(CancellationToken ct)
    {
        if (_owed.IsEmpty) return;
        var owed = _owed.Keys.ToArray();
        await ExecuteAsync($"delete from {Connections} where node_id = $1 and connection_id = any($2)", ct, platform.NodeId, owed);
        foreach (var id in owed) _owed.TryRemove(id, out _);
        log.LogInformation("Recorded {Count} disconnects of node {NodeId} owed since the database failed", owed.Length, platform.NodeId);
    }

    /// <summary>The live nodes holding connections of these users, each with the users it holds.</summary>
    public async Task<Dictionary<int, string[]>> NodesOfAsync(string tenantId, string[] userIds, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"""
             select c.node_id, array_agg(distinct c.user_id) from {Connections} c
             join {Nodes} n on n.node_id = c.node_id and n.heartbeat_at > now() - $3::interval
             where c.tenant_id = $1 and c.user_id = any($2) group by c.node_id
             """, tenantId, userIds, NodeExpiry);
        var nodes = new Dictionary<int, string[]>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) nodes[reader.GetInt32(0)] = reader.GetFieldValue<string[]>(1);
        return nodes;
    }

    public async Task<List<int>> LiveNodesAsync(CancellationToken ct)
    {
        await using var cmd = db.Command($"select node_id from {Nodes} where heartbeat_at > now() - $1::interval", NodeExpiry);
        var nodes = new List<int>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) nodes.Add(reader.GetInt32(0));
        return nodes;
    }

    /// <summary>
    /// Whatever this node held before it restarted is gone with its sockets. Forgotten before the
    /// node listens: since .NET 10 all of ExecuteAsync runs in the background, so a delete there
    /// could land after a client of the new process registered and leave it without pushes.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync($"delete from {Connections} where node_id = $1", cancellationToken, platform.NodeId);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Owed disconnects first: the beat must not make their rows count as live again.
                await SettleOwedAsync(stoppingToken);
                await ExecuteAsync($"insert into {Nodes} (node_id, heartbeat_at) values ($1, now()) " +
                                   "on conflict (node_id) do update set heartbeat_at = now()", stoppingToken, platform.NodeId);
                if (failures > 0) log.LogInformation("Gateway heartbeat of node {NodeId} works again after {Failures} failures", platform.NodeId, failures);
                failures = 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Once per outage at warning level, not every beat.
                if (failures++ == 0) log.LogWarning(e, "Gateway heartbeat of node {NodeId} failed; backing off until the database answers", platform.NodeId);
            }
            await Task.Delay(BeatAfter(failures), stoppingToken);
        }
    }

    /// <summary>The beat, and while it fails a doubling wait up to half the expiry, so the node is live again soon after the database returns.</summary>
    public static TimeSpan BeatAfter(int failures) =>
        failures == 0 ? Beat : TimeSpan.FromSeconds(Math.Min(NodeExpiry.TotalSeconds / 2, Math.Pow(2, Math.Min(failures, 8)) / 2));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // A clean stop says so at once rather than waiting for the beat to expire.
        await ExecuteAsync($"delete from {Connections} where node_id = $1", CancellationToken.None, platform.NodeId);
        await ExecuteAsync($"delete from {Nodes} where node_id = $1", CancellationToken.None, platform.NodeId);
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct, params object[] values)
    {
        await using var cmd = db.Command(sql, values);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
