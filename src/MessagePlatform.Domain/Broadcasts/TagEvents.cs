namespace MessagePlatform.Domain;

// Stored events of a user's tag stream ("$tags:{userId}"). They never change shape once shipped.

/// <summary>The app changed a user's tags: what was added and removed, so an auditor reads each change with its time.</summary>
public sealed record UserTagsChanged(string UserId, IReadOnlyList<string> Added, IReadOnlyList<string> Removed, DateTimeOffset ChangedAt);
