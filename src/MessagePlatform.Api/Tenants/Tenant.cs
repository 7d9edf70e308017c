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
    DateTimeOffset CreatedAt,
    SendLimits? Limits = null,
    int? TimelineDays = null,
    string? BroadcastRetention = null)
{
    /// <summary>The seeds' 7-day timelines unless the tenant chose otherwise.</summary>
    public const int DefaultTimelineDays = 7;

    public SendLimits SendLimits => Limits ?? SendLimits.Default;

    /// <summary>How long a user's sync shows an entry, and how long a user may stay away before its timeline is cleared.</summary>
    public int TimelineRetentionDays => TimelineDays ?? DefaultTimelineDays;

    /// <summary>How long broadcasts stay in sync, as a session retention ('days:N', 'last:N', 'forever').</summary>
    public string BroadcastRetentionPolicy => BroadcastRetention ?? BroadcastRules.DefaultRetention;
}

/// <summary>How fast a tenant may send: per room (a hot live room) and in all.</summary>
public sealed record SendLimits(int RoomMessagesPerSecond, int TenantMessagesPerSecond)
{
    public static readonly SendLimits Default = new(40, 20_000);

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (RoomMessagesPerSecond is < 1 or > 100_000) errors["limits.roomMessagesPerSecond"] = ["must be 1 to 100000"];
        if (TenantMessagesPerSecond is < 1 or > 1_000_000) errors["limits.tenantMessagesPerSecond"] = ["must be 1 to 1000000"];
        return errors;
    }
}

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
