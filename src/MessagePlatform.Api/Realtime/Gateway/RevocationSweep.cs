using MessagePlatform.Api.Access;

namespace MessagePlatform.Api.Realtime.Gateway;

/// <summary>
/// Open connections authenticated once, at the handshake: once a second each one on this node is
/// checked against <see cref="TokenRevocations"/> (in memory, so the whole pass is cheap), and one
/// whose token was revoked is closed, WebSocket and MQTT alike.
/// </summary>
public sealed class RevocationSweep(LocalConnections connections, TokenRevocations revocations, ILogger<RevocationSweep> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var connection in connections.All)
            {
                if (connection.Closing.IsCancellationRequested
                    || !revocations.IsRevoked(connection.TenantId, connection.UserId, connection.TokenIssuedAt)) continue;
                log.LogInformation("Closing connection {ConnectionId} of {UserId} of {TenantId}: token revoked",
                    connection.Id, connection.UserId, connection.TenantId);
                connection.Close();
            }
        }
    }
}
