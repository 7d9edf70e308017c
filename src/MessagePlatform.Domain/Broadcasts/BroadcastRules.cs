using System.Text.Json;

namespace MessagePlatform.Domain;

public sealed record SendBroadcast(string ClientMsgId, string Type, JsonElement Body, IReadOnlyList<string> Tags, string Priority, bool OnlineOnly);

/// <summary>Pure rules of broadcasts: a well-formed one, and the event it becomes.</summary>
public static class BroadcastRules
{
    /// <summary>The stream of a tenant's broadcasts: one order and one idempotency scope for global and tag ones alike.</summary>
    public const string Stream = "$broadcasts";

    /// <summary>A tenant's broadcast retention unless it chose another (the seeds' 7-day timelines).</summary>
    public const string DefaultRetention = "days:7";

    public static (Dictionary<string, string[]> Errors, bool TooLarge) Validate(
        string? clientMsgId, string? type, JsonElement? body, IReadOnlyList<string>? tags, string? priority)
    {
        var (errors, tooLarge) = SendRules.Validate("app", clientMsgId, type, body, priority);
        if (tags is not null)
            foreach (var (field, messages) in TagRules.Validate(tags)) errors[field] = messages;
        return (errors, tooLarge);
    }

    public static BroadcastSent Decide(SendBroadcast command, long msgId, DateTimeOffset now) => new(
        msgId, command.ClientMsgId, command.Type, command.Body.Clone(),
        [.. command.Tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], command.Priority, command.OnlineOnly, now);
}
