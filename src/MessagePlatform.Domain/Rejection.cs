namespace MessagePlatform.Domain;

/// <summary>Why a command was refused; the API turns the kind into its status code.</summary>
public enum RejectionKind
{
    NotFound,
    Forbidden,
    Conflict,
    Invalid,
    TooLarge,
}

public sealed record Rejection(RejectionKind Kind, string Title, string Detail)
{
    public static Rejection NotFound(string detail) => new(RejectionKind.NotFound, "Not found", detail);
    public static Rejection Forbidden(string detail) => new(RejectionKind.Forbidden, "Forbidden", detail);
    public static Rejection Conflict(string detail) => new(RejectionKind.Conflict, "Conflict", detail);
    public static Rejection Invalid(string detail) => new(RejectionKind.Invalid, "Invalid request", detail);
    public static Rejection TooLarge(string detail) => new(RejectionKind.TooLarge, "Payload too large", detail);
}

/// <summary>What a Decide function concluded: events to append, or a refusal. No events and no refusal is a no-op.</summary>
public sealed record Decision(IReadOnlyList<object> Events, Rejection? Rejection)
{
    public static readonly Decision Nothing = new([], null);
    public static Decision Append(params object[] events) => new(events, null);
    public static Decision Refuse(Rejection rejection) => new([], rejection);
}
