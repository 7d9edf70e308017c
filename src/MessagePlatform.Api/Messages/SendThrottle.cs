using System.Threading.RateLimiting;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Tenants;
using MessagePlatform.Domain;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Messages;

/// <summary>
/// Write rate control (the seeds' hot-group degradation): token buckets per sender, per room and
/// per tenant, with .NET's rate limiters. A refused send learns when to retry.
/// </summary>
public sealed class SendThrottle(TenantDirectory tenants, SessionStreams streams, IMemoryCache cache, IOptions<SenderLimits> senderLimits)
    : IDisposable
{
    private readonly SenderLimits _sender = senderLimits.Value;

    // Per (tenant, sender): its own limiter, so a sender's burst differs from its rate; idle buckets are dropped.
    private readonly PartitionedRateLimiter<(string Tenant, string User)> _senders =
        PartitionedRateLimiter.Create<(string Tenant, string User), (string, string)>(key =>
            RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(senderLimits.Value.SenderBurst, 1),
                TokensPerPeriod = Math.Max(senderLimits.Value.SenderMessagesPerSecond, 1),
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

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
    public async Task<TimeSpan?> RetryAfterAsync(string tenantId, string sessionId, string userId, CancellationToken ct)
    {
        // First, and alone: a sender over its own limit takes nothing from the room's or tenant's buckets.
        if (_sender.SenderMessagesPerSecond > 0 && Refused(_senders.AttemptAcquire((tenantId, userId))) is { } senderWait)
            return senderWait;
        var limits = (await tenants.FindAsync(tenantId, ct))?.SendLimits ?? SendLimits.Default;
        if (Refused(tenantId, "", limits.TenantMessagesPerSecond) is { } tenantWait) return tenantWait;
        return await IsRoomAsync(tenantId, sessionId, ct) ? Refused(tenantId, sessionId, limits.RoomMessagesPerSecond) : null;
    }

    private TimeSpan? Refused(string tenantId, string scope, int limit) => Refused(_buckets.AttemptAcquire((tenantId, scope, limit)));

    private static TimeSpan? Refused(RateLimitLease acquired)
    {
        using var lease = acquired;
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

    public void Dispose()
    {
        _buckets.Dispose();
        _senders.Dispose();
    }
}
