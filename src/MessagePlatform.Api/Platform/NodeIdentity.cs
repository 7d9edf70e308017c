using Microsoft.Extensions.Options;
using Npgsql;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// Claims MP_NODE_ID before anything else starts: two nodes with one id would mint colliding message
/// ids and share a gateway queue, and an in-memory node beside others would silently miss their pushes.
/// The claim is a session advisory lock on a connection of its own, kept for the process's life.
/// </summary>
public sealed class NodeIdentity(PlatformOptions platform, IOptions<NodeOptions> options, IHostApplicationLifetime lifetime,
    ILogger<NodeIdentity> log) : BackgroundService
{
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(5);
    private NpgsqlConnection? _claim;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _claim = await ClaimAsync(TimeSpan.FromSeconds(options.Value.ClaimWaitSeconds), cancellationToken)
                 ?? throw new InvalidOperationException(
                     $"MP_NODE_ID {platform.NodeId} is in use by another running node on this database. " +
                     "Give every node its own MP_NODE_ID.");
        var alive = await NodeClaims.RegisterAsync(_claim, platform.NodeId, platform.Transport, cancellationToken);
        if (NodeClaims.Refusal(platform.NodeId, platform.Transport, alive) is { } refusal)
        {
            await _claim.DisposeAsync();
            throw new InvalidOperationException(refusal);
        }
        log.LogInformation("Node {NodeId} claimed its id ({Transport}) beside {LiveNodes} live nodes", platform.NodeId, platform.Transport, alive.Count);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Keeps the claim's connection talking, and takes the claim again if the connection was lost
    /// (a database restart); if another process took the id meanwhile, this node stops.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Check);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await _claim!.Command("select 1").ScalarAsync<int>(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Node {NodeId} lost the connection holding its id; claiming it again", platform.NodeId);
                await _claim!.DisposeAsync();
                _claim = await TryClaimAgainAsync(stoppingToken);
                if (_claim is null) return;
            }
        }
    }

    private async Task<NpgsqlConnection?> TryClaimAgainAsync(CancellationToken ct)
    {
        try
        {
            if (await ClaimAsync(TimeSpan.FromSeconds(options.Value.ClaimWaitSeconds), ct) is { } claim) return claim;
            log.LogCritical("MP_NODE_ID {NodeId} was taken by another process while this node's claim was lost; stopping", platform.NodeId);
            lifetime.StopApplication();
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database is still away: keep a closed connection, so the next check tries again.
            log.LogWarning(e, "Node {NodeId} could not claim its id again yet", platform.NodeId);
            return new NpgsqlConnection(ClaimConnectionString);
        }
    }

    /// <summary>The claim's connection, or null when another node still holds the id after the wait.</summary>
    private async Task<NpgsqlConnection?> ClaimAsync(TimeSpan wait, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(ClaimConnectionString);
        await connection.OpenAsync(ct);
        // A node killed a moment ago with the same id loses its lock within about 2 s (WithDeadClientCheck).
        for (var deadline = DateTime.UtcNow + wait; ; await Task.Delay(Retry, ct))
        {
            if (await NodeClaims.TryLockAsync(connection, platform.NodeId, ct)) return connection;
            if (DateTime.UtcNow >= deadline) break;
        }
        await connection.DisposeAsync();
        return null;
    }

    // Not pooled: closing it must end the database session, and with it the lock.
    private string ClaimConnectionString =>
        new NpgsqlConnectionStringBuilder(platform.Postgres) { Pooling = false, ApplicationName = $"mp-node-{platform.NodeId}" }.ConnectionString;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_claim is not null) await _claim.DisposeAsync();
    }

    public static void AddTo(IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<NodeOptions>(NodeOptions.Section);
        builder.Services.AddHostedService<NodeIdentity>();
    }
}
