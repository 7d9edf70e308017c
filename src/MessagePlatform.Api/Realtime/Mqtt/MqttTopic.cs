namespace MessagePlatform.Api.Realtime.Mqtt;

public enum TopicKind { Single, Group, Global, Tag, Send, Typing, Unknown }

/// <summary>
/// The topics of API.md "MQTT": `single/{userId}`, `group/{sessionId}`, `global`,
/// `business/tag_{tag}`, and `send/{sessionId}` and `typing/{sessionId}` for publishing. A filter with a wildcard is
/// <see cref="TopicKind.Unknown"/>: a client names exactly what it may read.
/// </summary>
public readonly record struct MqttTopic(TopicKind Kind, string Value)
{
    public const string Global = "global";
    private const string TagPrefix = "business/tag_";

    public static string Single(string userId) => $"single/{userId}";
    public static string Group(string sessionId) => $"group/{sessionId}";
    public static string Tag(string tag) => TagPrefix + tag;

    public static MqttTopic Parse(string? topic)
    {
        if (string.IsNullOrEmpty(topic) || topic.Contains('+') || topic.Contains('#')) return new(TopicKind.Unknown, "");
        if (topic == Global) return new(TopicKind.Global, "");
        if (topic.StartsWith(TagPrefix, StringComparison.Ordinal)) return Named(TopicKind.Tag, topic[TagPrefix.Length..]);
        var slash = topic.IndexOf('/');
        if (slash < 0) return new(TopicKind.Unknown, "");
        var rest = topic[(slash + 1)..];
        return topic[..slash] switch
        {
            "single" => Named(TopicKind.Single, rest),
            "group" => Named(TopicKind.Group, rest),
            "send" => Named(TopicKind.Send, rest),
            "typing" => Named(TopicKind.Typing, rest),
            _ => new(TopicKind.Unknown, ""),
        };
    }

    // One level only: "group/a/b" is no session's topic.
    private static MqttTopic Named(TopicKind kind, string value) =>
        value.Length == 0 || value.Contains('/') ? new(TopicKind.Unknown, "") : new(kind, value);
}
