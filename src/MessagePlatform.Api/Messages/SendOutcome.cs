using MessagePlatform.Domain;

namespace MessagePlatform.Api.Messages;

/// <summary>
/// What came of a send, whichever door it came through. Closed: the private constructor keeps
/// every case in this file, so each door's mapper (REST, WebSocket, MQTT) is a switch over these
/// and nothing else; a new case fails the mappers' tests until every door answers it.
/// </summary>
public abstract record SendOutcome
{
    private SendOutcome() { }

    /// <summary>Stored now: durable in the session stream.</summary>
    public sealed record Stored(SentMessage Sent) : SendOutcome;

    /// <summary>A retry of a send stored before (same sender, session and clientMsgId): its first answer.</summary>
    public sealed record Repeated(SentMessage First) : SendOutcome;

    /// <summary>Fields that are missing or malformed, by field.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : SendOutcome;

    /// <summary>The body is over <see cref="SendRules.MaxBodyBytes"/>.</summary>
    public sealed record TooLarge : SendOutcome;

    /// <summary>The caller may not send this, as this sender or of this type.</summary>
    public sealed record Forbidden(string Reason) : SendOutcome;

    /// <summary>The session's own rules refused it in its lane (unknown session, not a member, closed …).</summary>
    public sealed record Rejected(Rejection Rejection) : SendOutcome;

    /// <summary>The sender, room or tenant is over its send rate.</summary>
    public sealed record Throttled(TimeSpan RetryAfter) : SendOutcome;

    /// <summary>The tenant's before-send hook said no, or gave back a body that cannot be stored.</summary>
    public sealed record ModerationDenied(string Reason) : SendOutcome;

    /// <summary>The before-send hook did not answer and the tenant asked to fail closed.</summary>
    public sealed record ModerationUnavailable(string Reason) : SendOutcome;

    /// <summary>This node's write lanes are full.</summary>
    public sealed record Busy(TimeSpan RetryAfter, string Reason) : SendOutcome;

    /// <summary>The database cannot be reached now (<see cref="EventStore.StoreUnavailable"/>): whether it was stored, a retry with the same clientMsgId finds out.</summary>
    public sealed record StoreUnavailable(TimeSpan RetryAfter) : SendOutcome;

    /// <summary>Pushes trail commits past the intake threshold (<see cref="PushBacklog"/>): intake slows rather than pushes falling behind.</summary>
    public sealed record Overloaded(TimeSpan RetryAfter, string Reason) : SendOutcome;
}
