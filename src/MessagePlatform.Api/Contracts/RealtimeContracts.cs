using System.Text.Json.Serialization;
using MessagePlatform.Domain;

namespace MessagePlatform.Contracts;

// Wire messages on the bus, apart from the stored events: they may evolve with the consumers,
// the events never change. One message type per kind of push, no nullable payloads.

/// <summary>
/// What one page of the store held for one session, in stream order: its messages, retractions and
/// the membership changes between them (published at least once; the page's first event id is the
/// bus message id, so a redelivery can be recognised). Fan-out keeps its member set from the
/// membership changes, so a member added before a message gets it and one removed before does not.
/// </summary>
public sealed record SessionEventsPublished(string TenantId, string SessionId, IReadOnlyList<SessionChange> Changes)
{
    /// <summary>When the batch's first event was committed (the database's clock): push lag is measured from it.</summary>
    public DateTimeOffset CommittedAt { get; init; }
}

/// <summary>One change of a session, at its place (<see cref="Seq"/>, the stream version) in the stream.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$change")]
[JsonDerivedType(typeof(MessageStored), "message")]
[JsonDerivedType(typeof(RetractionStored), "retract")]
[JsonDerivedType(typeof(MembersReset), "reset")]
[JsonDerivedType(typeof(MembersAdded), "joined")]
[JsonDerivedType(typeof(MemberRemoved), "left")]
[JsonDerivedType(typeof(SessionEnded), "closed")]
[JsonDerivedType(typeof(EditStored), "edit")]
[JsonDerivedType(typeof(ReactionStored), "reaction")]
[JsonDerivedType(typeof(PinStored), "pin")]
[JsonDerivedType(typeof(UnpinStored), "unpin")]
[JsonDerivedType(typeof(ReadStored), "read")]
public abstract record SessionChange(long Seq);

/// <summary>ReplyTo and Mentions came in v1.1: trailing and optional, so a batch published before them still reads.</summary>
public sealed record MessageStored(long Seq, string MsgId, string From, string Type, string BodyJson, string Priority, DateTimeOffset SentAt,
    string? ReplyTo = null, string[]? Mentions = null)
    : SessionChange(Seq);

// Everyday chat: Seq is the event's own place in the stream; MsgSeq the seq of the message it is about.

public sealed record EditStored(long Seq, string MsgId, long MsgSeq, string By, string BodyJson, DateTimeOffset EditedAt) : SessionChange(Seq);

public sealed record ReactionStored(long Seq, string MsgId, long MsgSeq, string Reaction, string By, bool Added) : SessionChange(Seq);

public sealed record PinStored(long Seq, string MsgId, string By, DateTimeOffset PinnedAt) : SessionChange(Seq);

public sealed record UnpinStored(long Seq, string MsgId, string By) : SessionChange(Seq);

/// <summary>A member's read mark: it has read the session up to <paramref name="ReadSeq"/>.</summary>
public sealed record ReadStored(long Seq, string UserId, long ReadSeq) : SessionChange(Seq);

public sealed record RetractionStored(long Seq, string MsgId) : SessionChange(Seq);

/// <summary>The whole membership as of <see cref="SessionChange.Seq"/>: the session opened, or GC compacted its head into a snapshot.</summary>
public sealed record MembersReset(long Seq, SessionType Type, string[] Members) : SessionChange(Seq);

public sealed record MembersAdded(long Seq, string[] UserIds) : SessionChange(Seq);

public sealed record MemberRemoved(long Seq, string UserId) : SessionChange(Seq);

public sealed record SessionEnded(long Seq) : SessionChange(Seq);

/// <summary>
/// One gateway node's share of a session's batch: sent to that node's queue only. Each push names
/// the users of that node it goes to (for a room: none; the node pushes to whoever joined the room there).
/// </summary>
public sealed record SessionPushes(int NodeId, string TenantId, string SessionId, bool Room, IReadOnlyList<SessionPush> Pushes)
{
    public DateTimeOffset CommittedAt { get; init; }
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$push")]
[JsonDerivedType(typeof(MessagePush), "message")]
[JsonDerivedType(typeof(RetractionPush), "retract")]
[JsonDerivedType(typeof(ChatPush), "chat")]
[JsonDerivedType(typeof(ReactionCountsPush), "counts")]
public abstract record SessionPush(string[] UserIds);

public sealed record MessagePush(string[] UserIds, MessageStored Message) : SessionPush(UserIds);

public sealed record RetractionPush(string[] UserIds, RetractionStored Retraction) : SessionPush(UserIds);

/// <summary>An edit, reaction, pin, unpin or read mark, pushed once to each recipient (no ack, no retransmit: sync catches up).</summary>
public sealed record ChatPush(string[] UserIds, SessionChange Change) : SessionPush(UserIds);

/// <summary>
/// A hot session's reactions on one message over a window (Realtime/ReactionWindow.cs): the
/// totals now, one frame for however many reactions came.
/// </summary>
public sealed record ReactionCountsPush(string[] UserIds, string MsgId, long MsgSeq, IReadOnlyDictionary<string, long> Counts)
    : SessionPush(UserIds);

/// <summary>A broadcast was stored (or, online-only, only recorded): every live node pushes it to its targeted users.</summary>
public sealed record BroadcastPublished(
    string TenantId,
    string MsgId,
    string Type,
    string BodyJson,
    string[] Tags,
    string Priority,
    bool OnlineOnly,
    DateTimeOffset SentAt)
{
    public DateTimeOffset CommittedAt { get; init; }
}

/// <summary>A broadcast sent on to one live gateway node, which picks its own targets.</summary>
public sealed record BroadcastPush(int NodeId, BroadcastPublished Broadcast);
