namespace MessagePlatform.Domain;

public sealed record OpenSession(
    string SessionId, SessionType Type, IReadOnlyList<string> Members, SessionPolicy Policy, int WriteDiffusionThreshold);

/// <summary>Pure rules for a session's membership and life cycle; time comes in as an argument.</summary>
public static class SessionRules
{
    /// <summary>The id of the one c2c session two users share: their ids sorted, so either side finds it.</summary>
    public static string C2cId(string a, string b) =>
        string.CompareOrdinal(a, b) <= 0 ? $"c2c:{a}:{b}" : $"c2c:{b}:{a}";

    public static Diffusion DiffusionFor(SessionType type, int memberCount, int writeDiffusionThreshold) =>
        type == SessionType.Room || memberCount > writeDiffusionThreshold ? Diffusion.Read : Diffusion.Write;

    public static Decision Open(Session? existing, OpenSession command, DateTimeOffset now)
    {
        if (existing is not null)
        {
            // Opening the same c2c pair again is how clients find their conversation: not an error.
            return existing.Type == SessionType.C2c && command.Type == SessionType.C2c
                ? Decision.Nothing
                : Decision.Refuse(Rejection.Conflict($"Session '{command.SessionId}' already exists."));
        }
        var members = command.Members.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var diffusion = DiffusionFor(command.Type, members.Length, command.WriteDiffusionThreshold);
        return Decision.Append(new SessionOpened(command.SessionId, command.Type, members, command.Policy, diffusion, now));
    }

    public static Decision AddMembers(Session? session, IReadOnlyList<string> userIds, int writeDiffusionThreshold, DateTimeOffset now)
    {
        if (session is null) return Decision.Refuse(Rejection.NotFound("Unknown session."));
        if (session.Closed) return Decision.Refuse(Rejection.Conflict("The session is closed."));
        if (session.Type == SessionType.C2c)
            return Decision.Refuse(Rejection.Conflict("A c2c session has exactly its two members."));
        var added = userIds.Distinct(StringComparer.Ordinal).Where(u => !session.Members.Contains(u)).ToArray();
        if (added.Length == 0) return Decision.Nothing;
        var events = new List<object> { new MembersJoined(added, now) };
        var diffusion = DiffusionFor(session.Type, session.Members.Count + added.Length, writeDiffusionThreshold);
        if (diffusion != session.Diffusion) events.Add(new DiffusionSwitched(diffusion, now));
        return new Decision(events, null);
    }

    public static Decision RemoveMember(Session? session, string userId, int writeDiffusionThreshold, DateTimeOffset now)
    {
        if (session is null) return Decision.Refuse(Rejection.NotFound("Unknown session."));
        if (session.Closed) return Decision.Refuse(Rejection.Conflict("The session is closed."));
        if (session.Type == SessionType.C2c)
            return Decision.Refuse(Rejection.Conflict("A c2c session has exactly its two members."));
        if (!session.Members.Contains(userId))
            return Decision.Refuse(Rejection.NotFound($"'{userId}' is not a member of this session."));
        var events = new List<object> { new MemberLeft(userId, now) };
        var diffusion = DiffusionFor(session.Type, session.Members.Count - 1, writeDiffusionThreshold);
        if (diffusion != session.Diffusion) events.Add(new DiffusionSwitched(diffusion, now));
        return new Decision(events, null);
    }

    /// <summary>Closing twice is a no-op, so a retried close answers 200.</summary>
    public static Decision Close(Session? session, DateTimeOffset now) =>
        session is null ? Decision.Refuse(Rejection.NotFound("Unknown session."))
        : session.Closed ? Decision.Nothing
        : Decision.Append(new SessionClosed(now));

    public const int MaxHoldReasonLength = 500;

    /// <summary>Holds apply to closed sessions too (a room waiting for its onClose delete); placing twice is a no-op.</summary>
    public static Decision PlaceHold(Session? session, string by, string? reason, DateTimeOffset now) =>
        session is null ? Decision.Refuse(Rejection.NotFound("Unknown session."))
        : reason is { Length: > MaxHoldReasonLength } ? Decision.Refuse(Rejection.Invalid($"A reason is at most {MaxHoldReasonLength} characters."))
        : !StorableText.IsStorable(reason) ? Decision.Refuse(Rejection.Invalid($"A reason {StorableText.Rule}."))
        : session.LegalHold ? Decision.Nothing
        : Decision.Append(new LegalHoldPlaced(by, reason, now));

    public static Decision LiftHold(Session? session, string by, DateTimeOffset now) =>
        session is null ? Decision.Refuse(Rejection.NotFound("Unknown session."))
        : !session.LegalHold ? Decision.Nothing
        : Decision.Append(new LegalHoldLifted(by, now));
}
