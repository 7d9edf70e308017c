using System.Collections.Immutable;

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
    bool LegalHold = false)
{
    public static Session Open(SessionOpened e) =>
        new(e.SessionId, e.Type, [.. e.Members], e.Policy, e.Diffusion, false, e.OpenedAt);

    public Session Evolve(object e) => e switch
    {
        MembersJoined joined => this with { Members = Members.Union(joined.UserIds) },
        MemberLeft left => this with { Members = Members.Remove(left.UserId) },
        DiffusionSwitched switched => this with { Diffusion = switched.Diffusion },
        SessionClosed => this with { Closed = true },
        LegalHoldPlaced => this with { LegalHold = true },
        LegalHoldLifted => this with { LegalHold = false },
        _ => this,
    };

    /// <summary>Rooms accept any user; c2c and groups only their members.</summary>
    public bool Admits(string userId) => Type == SessionType.Room || Members.Contains(userId);
}
