using Marten;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Tenants;

/// <summary>A product team sharing the platform. Stored outside any tenant: it is what tenancy is keyed by.</summary>
public sealed record Tenant(
    string Id,
    string Name,
    Scenario Scenario,
    SessionPolicy DefaultPolicy,
    int WriteDiffusionThreshold,
    DateTimeOffset CreatedAt);

/// <summary>An app or auditor key, stored as the SHA-256 of the key itself: the key is shown only once.</summary>
public sealed record ApiKey(string Id, string TenantId, string Role, DateTimeOffset CreatedAt);

public static class TenantsConfig
{
    public static void AddTenants(this StoreOptions options)
    {
        options.Schema.For<Tenant>();
        options.Schema.For<ApiKey>().Index(k => k.TenantId);
    }
}
