using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace MessagePlatform.Domain;

/// <summary>
/// The state of a session as its stream's events leave it. Immutable: Evolve returns a new one.
/// Not named Create/Apply: Marten would take those for projection conventions.
/// </summary>
public sealed record Session(
    string Id,
    SessionType Type,
    ImmutableSortedSet<string> Members,
    SessionPolicy Policy,
    Diffusion Diffusion,
    bool Closed,
    DateTimeOffset OpenedAt,
    bool LegalHold = false,
    ImmutableDictionary<string, long>? JoinedAtSeq = null,
    ImmutableSortedSet<long>? PinnedMsgIds = null)
{
    /// <summary>
    /// The pinned messages, kept in the session's state (at most <see cref="PinRules.MaxPins"/>) so a
    /// pin is decided where the session's commands are serialized: its cap and idempotence hold under
    /// concurrent pins. Sessions stored before pins read as none.
    /// </summary>
    [JsonIgnore]
    public ImmutableSortedSet<long> Pins => PinnedMsgIds ?? [];

    public static Session Open(SessionOpened e) =>
        new(e.SessionId, e.Type, [.. e.Members], e.Policy, e.Diffusion, false, e.OpenedAt);

    /// <summary>Folds one event in; <paramref name="version"/> is its position in the stream.</summary>
    public Session Evolve(object e, long version = 0) => e switch
    {
        MembersJoined joined => this with
        {
            Members = Members.Union(joined.UserIds),
            JoinedAtSeq = (JoinedAtSeq ?? ImmutableDictionary<string, long>.Empty)
                .SetItems(joined.UserIds.Where(u => !Members.Contains(u)).Select(u => KeyValuePair.Create(u, version))),
        },
        MemberLeft left => this with { Members = Members.Remove(left.UserId), JoinedAtSeq = JoinedAtSeq?.Remove(left.UserId) },
        DiffusionSwitched switched => this with { Diffusion = switched.Diffusion },
        SessionClosed => this with { Closed = true },
        LegalHoldPlaced => this with { LegalHold = true },
        LegalHoldLifted => this with { LegalHold = false },
        MessagePinned pinned => this with { PinnedMsgIds = Pins.Add(pinned.MsgId) },
        MessageUnpinned unpinned => this with { PinnedMsgIds = Pins.Remove(unpinned.MsgId) },
        // A retracted message leaves the pins with it: its body is never shown again, so its pin is no use.
        MessageRetracted retracted when Pins.Contains(retracted.MsgId) => this with { PinnedMsgIds = Pins.Remove(retracted.MsgId) },
        _ => this,
    };

    /// <summary>
    /// The seq after which <paramref name="userId"/> sees history: under "fromJoin", where it joined
    /// (members the session opened with, and rooms, see it all). Sessions stored before joins were
    /// recorded here show members everything, as they did then.
    /// </summary>
    public long HistoryStartFor(string userId) =>
        Type != SessionType.Room && Policy.HistoryOnJoin == SessionPolicy.FromJoin
        && JoinedAtSeq?.TryGetValue(userId, out var seq) == true ? seq : 0;

    /// <summary>Rooms accept any user; c2c and groups only their members.</summary>
    public bool Admits(string userId) => Type == SessionType.Room || Members.Contains(userId);
}
