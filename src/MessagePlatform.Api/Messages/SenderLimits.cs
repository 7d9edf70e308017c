using System.ComponentModel.DataAnnotations;
using MessagePlatform.Api.Platform;

namespace MessagePlatform.Api.Messages;

/// <summary>
/// How fast one sender may send in a tenant, whatever the session (`Messages:SenderMessagesPerSecond`,
/// `Messages:SenderBurst`): checked before the room and tenant buckets, so a noisy member is refused
/// alone and does not drain the budget the others share. 0 messages per second turns it off.
/// </summary>
public sealed class SenderLimits
{
    public const string Section = "Messages";

    [Range(0, 1_000_000)]
    public int SenderMessagesPerSecond { get; set; } = 10;

    [Range(1, 1_000_000)]
    public int SenderBurst { get; set; } = 20;
}

public static class SenderLimitsConfig
{
    public static IHostApplicationBuilder AddSenderLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<SenderLimits>(SenderLimits.Section);
        return builder;
    }
}
