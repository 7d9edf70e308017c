using System.ComponentModel.DataAnnotations;
using MessagePlatform.Api.Platform;

namespace MessagePlatform.Api.Daemon;

/// <summary>`Health:*`: when readiness calls a reader of the store degraded, and how long the database check may take.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>A reader whose position has not moved for this long while events wait for it is stalled.</summary>
    [Range(1, 3600)]
    public int StalledAfterSeconds { get; set; } = 10;

    /// <summary>A reader this many events behind the head is degraded, moving or not.</summary>
    [Range(1, long.MaxValue)]
    public long LagDegradedAtEvents { get; set; } = 10_000;

    /// <summary>The database check of /health/ready fails after this long rather than hang the probe.</summary>
    [Range(1, 30)]
    public int DatabaseTimeoutSeconds { get; set; } = 2;
}

public static class ReaderHealthConfig
{
    /// <summary>The readers' poller, and readiness: the database (bounded in time) and the readers' lag.</summary>
    public static IHostApplicationBuilder AddReaderHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<HealthOptions>(HealthOptions.Section);
        builder.Services.AddSingleton<ReaderProgress>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReaderProgress>());
        builder.Services.AddSingleton<ProjectionLag>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("postgres", tags: [Health.Ready])
            .AddCheck<ProjectionLag>("projections", tags: [Health.Ready]);
        return builder;
    }
}
