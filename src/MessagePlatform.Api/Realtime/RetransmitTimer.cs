using MessagePlatform.Api.Realtime.Gateway;

namespace MessagePlatform.Api.Realtime;

/// <summary>The gateway's timer (the seeds' ack timing wheel, at half-second resolution).</summary>
public sealed class RetransmitTimer(LocalConnections connections, TimeProvider clock, Platform.PlatformMeters meters) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = clock.GetUtcNow();
            var (resent, syncs) = (0, 0);
            foreach (var connection in connections.All)
            {
                var (again, synced) = connection.Retransmit(now);
                resent += again;
                if (synced) syncs++;
            }
            meters.Retransmitted(resent, syncs);
        }
    }
}
