namespace MessagePlatform.Domain;

/// <summary>What a typing signal comes to; typing is never stored, so this is no <see cref="Decision"/>.</summary>
public abstract record TypingVerdict
{
    private TypingVerdict() { }

    /// <summary>Tell the other online members; remember <c>now</c> as the user's last fan-out in the session.</summary>
    public sealed record FanOut : TypingVerdict;

    /// <summary>Accepted (202) but not told: the user was told about less than the interval ago.</summary>
    public sealed record Throttled : TypingVerdict;

    public sealed record Refused(Rejection Rejection) : TypingVerdict;

    public static readonly TypingVerdict Fan = new FanOut();
    public static readonly TypingVerdict Quiet = new Throttled();
}

/// <summary>At most one typing notice per user and session every 2 s (API.md "Everyday chat": typing).</summary>
public static class TypingThrottle
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <paramref name="lastFanOut"/> is when this user's typing in this session was last fanned out, null
    /// if never (or forgotten: see <see cref="CanForget"/>). A clock that stepped back fans out rather than
    /// stay silent until it catches up.
    /// </summary>
    public static bool ShouldFanOut(DateTimeOffset? lastFanOut, DateTimeOffset now) =>
        lastFanOut is not { } last || now - last >= Interval || now < last;

    /// <summary>Whether a remembered fan-out can be dropped: remembering it no longer throttles anything.</summary>
    public static bool CanForget(DateTimeOffset lastFanOut, DateTimeOffset now) => now - lastFanOut >= Interval;

    /// <summary>Rooms take typing too; a closed session, or a user it does not admit, does not.</summary>
    public static TypingVerdict Decide(Session? session, string userId, DateTimeOffset? lastFanOut, DateTimeOffset now) =>
        session is null ? new TypingVerdict.Refused(Rejection.NotFound("Unknown session."))
        : !session.Admits(userId) ? new TypingVerdict.Refused(Rejection.Forbidden($"'{userId}' is not a member of this session."))
        : session.Closed ? new TypingVerdict.Refused(Rejection.Conflict("The session is closed."))
        : ShouldFanOut(lastFanOut, now) ? TypingVerdict.Fan
        : TypingVerdict.Quiet;
}
