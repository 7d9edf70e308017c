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

    public Task ConnectedAsync(string connectionId, string tenantId, string userId, string transport, CancellationToken ct) =>
        ExecuteAsync($"insert into {Connections} (node_id, connection_id, tenant_id, user_id, transport, connected_at) " +
                     "values ($1, $2, $3, $4, $5, now()) on conflict do nothing", ct, platform.NodeId, connectionId, tenantId, userId, transport);

    public Task DisconnectedAsync(string connectionId) =>
        ExecuteAsync($"delete from {Connections} where node_id = $1 and connection_id = $2", CancellationToken.None, platform.NodeId, connectionId);

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
        using var timer = new PeriodicTimer(Beat);
        var outage = new OutageLog(log, $"Gateway heartbeat of node {platform.NodeId}");
        do
        {
            try
            {
                await ExecuteAsync($"insert into {Nodes} (node_id, heartbeat_at) values ($1, now()) " +
                                   "on conflict (node_id) do update set heartbeat_at = now()", stoppingToken, platform.NodeId);
                outage.Succeeded();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Beats keep their pace (another node judges this one by them), but the outage is logged once.
                outage.Failed(e, Beat);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

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
