using System.Text.Json;
using System.Text.Json.Serialization;

namespace MessagePlatform.Api.Realtime.Gateway;

/// <summary>A frame about one session: MQTT sends it on `group/{sessionId}` and, outside rooms, `single/{userId}`.</summary>
public interface ISessionFrame
{
    string SessionId { get; }
}

/// <summary>
/// The frames of everyday chat (edit, reaction, pin, unpin, read). None is acked or retransmitted:
/// each is pushed once, and a client that missed one learns it by sync (every one of them is a sync
/// item, or for a room's counts, history). Edits and pins go at QoS 1 over MQTT (rare, and a client
/// shows them as they come); reactions and read marks at QoS 0 (frequent, and the next one supersedes).
/// </summary>
[JsonDerivedType(typeof(EditFrame))]
[JsonDerivedType(typeof(ReactionFrame))]
[JsonDerivedType(typeof(ReactionCountsFrame))]
[JsonDerivedType(typeof(PinFrame))]
[JsonDerivedType(typeof(UnpinFrame))]
[JsonDerivedType(typeof(ReadFrame))]
public abstract record ChatFrame : ServerFrame
{
    /// <summary>What the frames metric counts it as.</summary>
    [JsonIgnore] public abstract string Kind { get; }
}

/// <summary><paramref name="Seq"/> is the edited message's seq.</summary>
public sealed record EditFrame(string SessionId, string MsgId, long Seq, JsonElement Body, DateTimeOffset EditedAt, string By) : ChatFrame, ISessionFrame
{
    [JsonPropertyOrder(-1)] public string Type => "edit";
    [JsonIgnore] public override string Kind => "edit";
}

/// <summary>One user's reaction put on (added) or taken off a message of a c2c or write-diffusion group.</summary>
public sealed record ReactionFrame(string SessionId, string MsgId, long Seq, string Reaction, string By, bool Added) : ChatFrame, ISessionFrame
{
    [JsonPropertyOrder(-1)] public string Type => "reaction";
    [JsonIgnore] public override string Kind => "reaction";
    [JsonIgnore] public override bool AtMostOnce => true;
}

/// <summary>A hot session's reactions on one message, aggregated over a window: each touched reaction's total now.</summary>
public sealed record ReactionCountsFrame(string SessionId, string MsgId, long Seq, IReadOnlyDictionary<string, long> Counts) : ChatFrame, ISessionFrame
{
    [JsonPropertyOrder(-1)] public string Type => "reaction";
    [JsonIgnore] public override string Kind => "reaction_counts";
    [JsonIgnore] public override bool AtMostOnce => true;
}

public sealed record PinFrame(string SessionId, string MsgId, string By, DateTimeOffset PinnedAt) : ChatFrame, ISessionFrame
{
    [JsonPropertyOrder(-1)] public string Type => "pin";
    [JsonIgnore] public override string Kind => "pin";
}

public sealed record UnpinFrame(string SessionId, string MsgId, string By) : ChatFrame, ISessionFrame
{
    [JsonPropertyOrder(-1)] public string Type => "unpin";
    [JsonIgnore] public override string Kind => "unpin";
}

/// <summary>A member's read mark: <paramref name="UserId"/> has read the session up to <paramref name="Seq"/>.</summary>
public sealed record ReadFrame(string SessionId, string UserId, long Seq) : ChatFrame, ISessionFrame
{
    [JsonPropertyOrder(-1)] public string Type => "read";
    [JsonIgnore] public override string Kind => "read";
    [JsonIgnore] public override bool AtMostOnce => true;
}

/// <summary>The frame of a chat push, serialized once for every connection it goes to.</summary>
public static class ChatFrames
{
    public static OutboundFrame Of(string sessionId, Contracts.SessionPush push) => OutboundFrame.Of(FrameOf(sessionId, push));

    private static ChatFrame FrameOf(string sessionId, Contracts.SessionPush push) => push switch
    {
        Contracts.ReactionCountsPush c => new ReactionCountsFrame(sessionId, c.MsgId, c.MsgSeq, c.Counts),
        Contracts.ChatPush { Change: var change } => ChangeFrame(sessionId, change),
        _ => throw new ArgumentException($"No chat frame for {push.GetType().Name}.", nameof(push)),
    };

    private static ChatFrame ChangeFrame(string sessionId, Contracts.SessionChange change) => change switch
    {
        Contracts.EditStored e => new EditFrame(sessionId, e.MsgId, e.MsgSeq, JsonDocument.Parse(e.BodyJson).RootElement, e.EditedAt, e.By),
        Contracts.ReactionStored r => new ReactionFrame(sessionId, r.MsgId, r.MsgSeq, r.Reaction, r.By, r.Added),
        Contracts.PinStored p => new PinFrame(sessionId, p.MsgId, p.By, p.PinnedAt),
        Contracts.UnpinStored u => new UnpinFrame(sessionId, u.MsgId, u.By),
        Contracts.ReadStored r => new ReadFrame(sessionId, r.UserId, r.ReadSeq),
        _ => throw new ArgumentException($"No frame for {change.GetType().Name}.", nameof(change)),
    };
}
