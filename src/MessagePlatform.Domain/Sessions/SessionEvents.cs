namespace MessagePlatform.Domain;

// Stored events of a session stream. They never change shape once shipped: add new events instead.

public sealed record SessionOpened(
    string SessionId,
    SessionType Type,
    IReadOnlyList<string> Members,
    SessionPolicy Policy,
    Diffusion Diffusion,
    DateTimeOffset OpenedAt);

public sealed record MembersJoined(IReadOnlyList<string> UserIds, DateTimeOffset JoinedAt);

public sealed record MemberLeft(string UserId, DateTimeOffset LeftAt);

/// <summary>A group crossed the tenant's write-diffusion threshold (in either direction).</summary>
public sealed record DiffusionSwitched(Diffusion Diffusion, DateTimeOffset SwitchedAt);

public sealed record SessionClosed(DateTimeOffset ClosedAt);

/// <summary>An auditor put the session on legal hold: GC leaves all of it alone until the hold is lifted.</summary>
public sealed record LegalHoldPlaced(string By, string? Reason, DateTimeOffset PlacedAt);

public sealed record LegalHoldLifted(string By, DateTimeOffset LiftedAt);
