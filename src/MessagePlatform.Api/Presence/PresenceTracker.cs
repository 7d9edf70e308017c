using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Npgsql;

namespace MessagePlatform.Api.Presence;

/// <summary>
/// Turns the connection registry into presence changes, on one node at a time (an advisory lock),
/// every two seconds: users online and offline are recorded as events in each tenant's "$presence"
/// stream, from which the webhook outbox delivers `user.online` / `user.offline` to the tenant's
/// default webhook. A node killed without a word loses its users when its heartbeat expires (20 s)
/// plus the debounce (5 s), so within 30 s.
/// </summary>
public sealed class PresenceTracker(
    NpgsqlDataSource db, PresenceDirectory directory, SessionStreams streams, TimeProvider clock, ILogger<PresenceTracker> log)
    : BackgroundService
{
    public const string Stream = "$presence";
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);
    private readonly OutageLog _outage = new(log, "Presence tracking");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await TrackAsync(stoppingToken);
                _outage.Succeeded();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // While the database is away, try less often (the timer's ticks in between are skipped).
                if (_outage.Failed(e, Every) - Every is { Ticks: > 0 } longer) await Task.Delay(longer, stoppingToken);
            }
        }
    }

    private async Task TrackAsync(CancellationToken ct)
    {
        await using var tracking = await ClusterLock.TryTakeAsync(db, ClusterLock.Presence, ct);
        if (tracking is null) return;
        var tracked = await directory.TrackedAsync(tracking.Connection, ct);
        var connected = await PresenceDirectory.ConnectedAsync(tracking.Connection, ct);
        var now = clock.GetUtcNow();
        foreach (var tenantId in tracked.Keys.Union(connected.Keys))
        {
            var (changed, events) = PresenceRules.Track(
                tracked.GetValueOrDefault(tenantId) ?? [], connected.GetValueOrDefault(tenantId) ?? [], now, PresenceRules.Debounce);
            if (changed.Count == 0) continue;
            if (events.Count == 0)
            {
                await using var session = streams.Writer(tenantId);
                PresenceDirectory.QueueChanges(session, tenantId, changed);
                await session.SaveChangesAsync(ct);
                continue;
            }
            var version = await streams.VersionAsync(tenantId, Stream, ct);
            await streams.AppendAsync(tenantId, Stream, version, events, ops => PresenceDirectory.QueueChanges(ops, tenantId, changed), ct);
            foreach (var e in events)
            {
                if (e is UserWentOnline on) log.LogInformation("User {UserId} of {TenantId} online", on.UserId, tenantId);
                else if (e is UserWentOffline off)
                    log.LogInformation("User {UserId} of {TenantId} offline, last seen {LastSeenAt}", off.UserId, tenantId, off.LastSeenAt);
            }
        }
    }
}
