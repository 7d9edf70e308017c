namespace MessagePlatform.Api.Audit;

// Stored events of the audit slice. They never change shape once shipped: add new events instead.

/// <summary>
/// Someone called an audit endpoint: recorded in the tenant's access-log stream before any of the
/// answer leaves, so audit data is never read unrecorded.
/// </summary>
public sealed record AuditAccessed(string By, string Method, string Path, string? Query, int Status, DateTimeOffset At);

public static class AccessLogStream
{
    /// <summary>
    /// One stream per tenant. Session ids match ^[A-Za-z0-9:_.-]{1,128}$, so a key with '$' never
    /// collides with a session, and no session endpoint can address it.
    /// </summary>
    public const string Key = "$audit-access";
}
