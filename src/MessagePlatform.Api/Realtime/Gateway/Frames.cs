using System.Text.Json;
using System.Text.Json.Serialization;

namespace MessagePlatform.Api.Realtime.Gateway;

/// <summary>
/// A frame the gateway sends a client (API.md "Realtime"): one record per kind. The JSON each
/// serializes to is the public contract, field for field; a transport routes on the record
/// (MQTT topics, QoS) and writes the bytes it was serialized to once.
/// </summary>
public abstract record ServerFrame
{
    /// <summary>The msgId the client acks this frame by; null for frames nobody acks.</summary>
    [JsonIgnore] public virtual string? AckId => null;

    /// <summary>API.md: `low` priority and `onlineOnly` frames go at most once (QoS 0).</summary>
    [JsonIgnore] public virtual bool AtMostOnce => false;
}

/// <summary>ReplyTo and Mentions are written only when the message has them: a plain message keeps its old shape.</summary>
public sealed record MessageFrame(
    string SessionId, string MsgId, long Seq, string From, string MsgType, JsonElement Body, string Priority, DateTimeOffset SentAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReplyTo = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string[]? Mentions = null)
    : ServerFrame, ISessionFrame
{
    [JsonPropertyOrder(-1)] public string Type => "message";
    [JsonIgnore] public override string? AckId => MsgId;
    [JsonIgnore] public override bool AtMostOnce => Priority == "low";
}

public sealed record RetractFrame(string SessionId, string MsgId) : ServerFrame, ISessionFrame
{
    [JsonPropertyOrder(-1)] public string Type => "retract";
}

public sealed record BroadcastFrame(
    string MsgId, string MsgType, JsonElement Body, string[] Tags, string Priority, bool OnlineOnly, DateTimeOffset SentAt)
    : ServerFrame
{
    [JsonPropertyOrder(-1)] public string Type => "broadcast";
    [JsonIgnore] public override string? AckId => MsgId;
    [JsonIgnore] public override bool AtMostOnce => Priority == "low" || OnlineOnly;
}

/// <summary>Someone else is typing in a session: never stored, never in sync, sent once (QoS 0).</summary>
public sealed record TypingFrame(string SessionId, string UserId) : ServerFrame, ISessionFrame
{
    [JsonPropertyOrder(-1)] public string Type => "typing";
    [JsonIgnore] public override bool AtMostOnce => true;
}

/// <summary>"Sync now": frames were given up on, dropped, or shed; the client catches up by its cursor.</summary>
public sealed record SyncFrame : ServerFrame
{
    public static readonly SyncFrame Instance = new();
    [JsonPropertyOrder(-1)] public string Type => "sync";
}

/// <summary>An answer to the client's own frame (pong, sent, error): it goes to that user alone (MQTT: `single/{userId}`).</summary>
[JsonDerivedType(typeof(PongFrame))]
[JsonDerivedType(typeof(SentFrame))]
[JsonDerivedType(typeof(SendErrorFrame))]
[JsonDerivedType(typeof(FrameErrorFrame))]
public abstract record ReplyFrame : ServerFrame;

public sealed record PongFrame : ReplyFrame
{
    public static readonly PongFrame Instance = new();
    [JsonPropertyOrder(-1)] public string Type => "pong";
}

/// <summary>A send over a realtime door was stored (or had been: a repeated clientMsgId).</summary>
public sealed record SentFrame(string? ClientMsgId, string MsgId, long Seq) : ReplyFrame
{
    [JsonPropertyOrder(-1)] public string Type => "sent";
}

/// <summary>
/// A send refused: the status, title and detail REST would answer, and how long to wait when waiting
/// helps. Also a frame refused for the connection's frame rate, which names no clientMsgId.
/// </summary>
public sealed record SendErrorFrame([property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientMsgId, int Status, string Title, string? Detail, double? RetryAfterSeconds) : ReplyFrame
{
    [JsonPropertyOrder(-1)] public string Type => "error";
}

/// <summary>A frame the gateway could not act on (malformed, unknown type, no such room).</summary>
public sealed record FrameErrorFrame(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SessionId, int Status, string Title) : ReplyFrame
{
    [JsonPropertyOrder(-1)] public string Type => "error";
}

/// <summary>A frame with the bytes it was serialized to: serialized once, written to every connection it goes to.</summary>
public sealed record OutboundFrame(ServerFrame Frame, byte[] Bytes)
{
    public static OutboundFrame Of(MessageFrame frame) => new(frame, JsonSerializer.SerializeToUtf8Bytes(frame, FrameJson.Default.MessageFrame));
    public static OutboundFrame Of(RetractFrame frame) => new(frame, JsonSerializer.SerializeToUtf8Bytes(frame, FrameJson.Default.RetractFrame));
    public static OutboundFrame Of(ChatFrame frame) => new(frame, JsonSerializer.SerializeToUtf8Bytes(frame, FrameJson.Default.ChatFrame));
    public static OutboundFrame Of(BroadcastFrame frame) => new(frame, JsonSerializer.SerializeToUtf8Bytes(frame, FrameJson.Default.BroadcastFrame));
    public static OutboundFrame Of(TypingFrame frame) => new(frame, JsonSerializer.SerializeToUtf8Bytes(frame, FrameJson.Default.TypingFrame));
    public static readonly OutboundFrame Sync = new(SyncFrame.Instance, JsonSerializer.SerializeToUtf8Bytes(SyncFrame.Instance, FrameJson.Default.SyncFrame));

    public static OutboundFrame Of(ReplyFrame frame) => new(frame, JsonSerializer.SerializeToUtf8Bytes(frame, FrameJson.Default.ReplyFrame));
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MessageFrame))]
[JsonSerializable(typeof(RetractFrame))]
[JsonSerializable(typeof(BroadcastFrame))]
[JsonSerializable(typeof(ChatFrame))]
[JsonSerializable(typeof(SyncFrame))]
[JsonSerializable(typeof(TypingFrame))]
[JsonSerializable(typeof(ReplyFrame))]
internal sealed partial class FrameJson : JsonSerializerContext;
