using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Realtime.Gateway;

/// <summary>
/// `Realtime:FramesPerSecond` and `Realtime:FrameBurst`: a token bucket per connection for what its
/// client sends (WebSocket frames, MQTT publishes and subscribes). One partitioned limiter replenishes
/// every bucket on one timer and drops idle ones, so a quiet connection costs nothing here.
/// </summary>
public sealed class InboundFrameRate : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public InboundFrameRate(IOptions<RealtimeOptions> options)
    {
        var o = options.Value;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = o.FrameBurst, TokensPerPeriod = o.FramesPerSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(id => RateLimitPartition.GetTokenBucketLimiter(id, _ => bucket));
    }

    /// <summary>Whether connection <paramref name="connectionId"/> may send one more frame now.</summary>
    public bool Admits(string connectionId)
    {
        using var lease = _limiter.AttemptAcquire(connectionId);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
