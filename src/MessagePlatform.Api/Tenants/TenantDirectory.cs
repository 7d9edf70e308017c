using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace MessagePlatform.Api.Tenants;

/// <summary>Tenants read on the hot path (defaults for new sessions), cached briefly.</summary>
public sealed class TenantDirectory(IDocumentStore store, IMemoryCache cache)
{
    public Task<Tenant?> FindAsync(string tenantId, CancellationToken ct) =>
        cache.GetOrCreateAsync($"tenant:{tenantId}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1);
            await using var session = store.QuerySession();
            return await session.LoadAsync<Tenant>(tenantId, ct);
        });
}
