using System.Text.Json;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// The top-level fields of a gateway frame that decide its MQTT topics and QoS. Read from the
/// frame's bytes, skipping the body, because frames reach a transport already serialized.
/// </summary>
public sealed record FrameHead(string? Type, string? SessionId, string? MsgId, string? Priority, bool OnlineOnly, IReadOnlyList<string> Tags)
{
    /// <summary>Frames the client acks by msgId: message pushes and stored broadcasts.</summary>
    public bool Ackable => Type is "message" or "broadcast";

    /// <summary>
    /// API.md: `low` priority and `onlineOnly` go at QoS 0, everything else at QoS 1 (the broadcast
    /// push also sends low and online-only broadcasts once, unacked).
    /// </summary>
    public bool AtMostOnce => (Type is "message" or "broadcast" && Priority == "low") || (Type == "broadcast" && OnlineOnly);

    public static FrameHead Read(ReadOnlySpan<byte> json)
    {
        string? type = null, sessionId = null, msgId = null, priority = null;
        var onlineOnly = false;
        List<string>? tags = null;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return new(null, null, null, null, false, []);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "type": type = Text(ref reader); break;
                case "sessionId": sessionId = Text(ref reader); break;
                case "msgId": msgId = Text(ref reader); break;
                case "priority": priority = Text(ref reader); break;
                case "onlineOnly": onlineOnly = reader.TokenType == JsonTokenType.True; break;
                case "tags" when reader.TokenType == JsonTokenType.StartArray:
                    tags = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        if (reader.TokenType == JsonTokenType.String) tags.Add(reader.GetString()!);
                    break;
                default: reader.Skip(); break;
            }
        }
        return new(type, sessionId, msgId, priority, onlineOnly, tags ?? []);
    }

    // Ids are strings in frames, but a number must not throw either.
    private static string? Text(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => reader.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}
