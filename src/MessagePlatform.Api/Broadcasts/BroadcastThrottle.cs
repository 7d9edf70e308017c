using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using MessagePlatform.Api.Platform;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Broadcasts;

/// <summary>
/// How often a tenant may broadcast (`Broadcasts:PerSecond`, `Broadcasts:Burst`): each broadcast is
/// pushed to every online user of the tenant, so a few a second are operations; more are a flood.
/// </summary>
public sealed class BroadcastLimits
{
    public const string Section = "Broadcasts";

    [Range(1, 100_000)]
    public int PerSecond { get; set; } = 5;

    [Range(1, 100_000)]
    public int Burst { get; set; } = 10;
}

/// <summary>A token bucket per tenant; a refused broadcast learns when to retry.</summary>
public sealed class BroadcastThrottle(IOptions<BroadcastLimits> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _tenants = PartitionedRateLimiter.Create<string, string>(tenantId =>
        RateLimitPartition.GetTokenBucketLimiter(tenantId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.Burst,
            TokensPerPeriod = options.Value.PerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Null when the broadcast may go ahead, else how long to wait.</summary>
    public TimeSpan? RetryAfter(string tenantId)
    {
        using var lease = _tenants.AttemptAcquire(tenantId);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    public void Dispose() => _tenants.Dispose();
}

public static class BroadcastLimitsConfig
{
    public static IHostApplicationBuilder AddBroadcastLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<BroadcastLimits>(BroadcastLimits.Section);
        builder.Services.AddSingleton<BroadcastThrottle>();
        return builder;
    }
}
