using System.ComponentModel.DataAnnotations;
using MessagePlatform.Api.Platform;

namespace MessagePlatform.Api.Messages;

/// <summary>
/// Intake backpressure (`Intake:*`): past these, sends are refused with 503 and Retry-After rather
/// than letting pushes fall behind commits. Low priority is shed first, then every send.
/// </summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";

    /// <summary>Off, sends are never refused for pushes behind (readiness still samples the readers).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Pushes this far behind the store refuse `low` priority sends.</summary>
    [Range(0, 600_000)]
    public int ShedLowPriorityAtMs { get; set; } = 500;

    /// <summary>Pushes this far behind refuse every send.</summary>
    [Range(0, 600_000)]
    public int RefuseAllAtMs { get; set; } = 1000;

    /// <summary>How often each node samples the readers' progress (one query, cluster-wide), which intake and readiness both read.</summary>
    [Range(20, 10_000)]
    public int SampleEveryMs { get; set; } = 200;

    [Range(1, 60)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>
    /// After a broker outage, how long the realtime publisher's lag may still refuse no send while it
    /// catches up (it counts again as soon as it has caught up): see <see cref="BrokerOutage"/>.
    /// </summary>
    [Range(1, 3600)]
    public int BrokerRecoverySeconds { get; set; } = 30;
}

public static class PushBacklogConfig
{
    public static IHostApplicationBuilder AddPushBacklog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<IntakeOptions>(IntakeOptions.Section)
            .Validate(o => o.ShedLowPriorityAtMs <= o.RefuseAllAtMs, "Intake:ShedLowPriorityAtMs must not be above Intake:RefuseAllAtMs.");
        // Without the pushing readers (`Daemon:Subscriptions=false`) nothing can trail: their missing
        // progress must not read as a backlog that refuses every send.
        if (!Settings.Read<Platform.DaemonOptions>(builder.Configuration, Platform.DaemonOptions.Section).Subscriptions)
            builder.Services.PostConfigure<IntakeOptions>(o => o.Enabled = false);
        builder.Services.AddSingleton<PushBacklog>();
        return builder;
    }
}
