using System.Text.Json.Serialization;

namespace MessagePlatform.Domain;

/// <summary>The business scenario a tenant runs; it picks the default session policy.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Scenario>))]
public enum Scenario
{
    [JsonStringEnumMemberName("live")] Live,
    [JsonStringEnumMemberName("enterprise")] Enterprise,
    [JsonStringEnumMemberName("social")] Social,
}

public static class ScenarioDefaults
{
    public const int RecallWindowSeconds = 120;

    /// <summary>Groups up to this many members are fanned out per user (write diffusion).</summary>
    public const int WriteDiffusionThreshold = 500;

    public static SessionPolicy PolicyFor(Scenario scenario) => scenario switch
    {
        Scenario.Live => new SessionPolicy("last:1000", "delete", RecallWindowSeconds),
        Scenario.Enterprise => new SessionPolicy("forever", "keep", RecallWindowSeconds),
        Scenario.Social => new SessionPolicy("days:7", "keep", RecallWindowSeconds),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };
}
