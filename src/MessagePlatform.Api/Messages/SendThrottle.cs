using System.Threading.RateLimiting;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Tenants;
using MessagePlatform.Domain;
using Microsoft.Extensions.Caching.Memory;

namespace MessagePlatform.Api.Messages;

/// <summary>
/// Write rate control (the seeds' hot-group degradation): token buckets per room and per tenant,
/// from the tenant's limits, with .NET's rate limiters. A refused send learns when to retry.
/// </summary>
public sealed class SendThrottle(TenantDirectory tenants, SessionStreams streams, IMemoryCache cache) : IDisposable
{
    // The limit is part of the key, so a tenant whose limits change gets fresh buckets.
    private readonly PartitionedRateLimiter<(string Tenant, string Scope, int Limit)> _buckets =
        PartitionedRateLimiter.Create<(string Tenant, string Scope, int Limit), (string, string, int)>(key =>
            RateLimitPartition.GetTokenBucketLimiter(key, k => new TokenBucketRateLimiterOptions
            {
                TokenLimit = k.Item3,
                TokensPerPeriod = k.Item3,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    /// <summary>Null when the send may go ahead, else how long to wait.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string tenantId, string sessionId, CancellationToken ct)
    {
        var limits = (await tenants.FindAsync(tenantId, ct))?.SendLimits ?? SendLimits.Default;
        if (Refused(tenantId, "", limits.TenantMessagesPerSecond) is { } tenantWait) return tenantWait;
        return await IsRoomAsync(tenantId, sessionId, ct) ? Refused(tenantId, sessionId, limits.RoomMessagesPerSecond) : null;
    }

    private TimeSpan? Refused(string tenantId, string scope, int limit)
    {
        using var lease = _buckets.AttemptAcquire((tenantId, scope, limit));
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    // A session never changes type: remember it, and ask the store once.
    private async Task<bool> IsRoomAsync(string tenantId, string sessionId, CancellationToken ct)
    {
        if (cache.TryGetValue(("room?", tenantId, sessionId), out bool room)) return room;
        var (session, _) = await streams.LoadAsync(tenantId, sessionId, ct);
        if (session is null) return false;
        room = session.Type == SessionType.Room;
        cache.Set(("room?", tenantId, sessionId), room, TimeSpan.FromMinutes(10));
        return room;
    }

    public void Dispose() => _buckets.Dispose();
}
