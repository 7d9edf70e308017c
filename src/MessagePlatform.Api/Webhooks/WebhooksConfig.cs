using System.ComponentModel.DataAnnotations;
using MessagePlatform.Api.Outbound;
using MessagePlatform.Api.Platform;

namespace MessagePlatform.Api.Webhooks;

/// <summary>`Webhooks:*`: retries and retention of deliveries.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Tries before a delivery is parked.</summary>
    [Range(1, 50)] public int MaxAttempts { get; set; } = 6;

    /// <summary>The first retry's delay, doubling after (at most 5 min).</summary>
    [Range(10, 60_000)] public int FirstRetryMs { get; set; } = 1000;

    /// <summary>How long a delivered row (its body already gone) is kept, for an operator to see it went.</summary>
    [Range(0, 24 * 365)] public int DeliveredRetentionHours { get; set; } = 24;

    /// <summary>How long a parked delivery waits for a replay before it is removed with its body.</summary>
    [Range(0, 24 * 365)] public int ParkedRetentionHours { get; set; } = 24 * 7;

    /// <summary>How often each node removes settled rows past their retention.</summary>
    [Range(1, 3600)] public int PruneIntervalSeconds { get; set; } = 60;
}

public static class WebhooksConfig
{
    /// <summary>The registry, the outbound client (no redirects, public addresses only) and the dispatcher.</summary>
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<WebhookOptions>(WebhookOptions.Section);
        builder.Services.AddSingleton<WebhookRegistry>();
        // A receiver's answer is only its status: its body is not read, so 16 KiB is plenty.
        builder.AddOutboundClient(WebhookDispatcher.HttpClientName, 16 * 1024, WebhookDispatcher.Timeout);
        builder.Services.AddHostedService<WebhookDispatcher>();
        return builder;
    }
}
