namespace MessagePlatform.Domain;

// Stored events of a tenant's credentials: keys in the stream "$keys", a user's token revocations in
// "$tokens:{userId}". They never change shape once shipped, and never carry a key itself.

/// <summary>The admin issued an app or auditor key; <paramref name="KeyId"/> names it, the key was shown once.</summary>
public sealed record TenantKeyIssued(string KeyId, string Role, DateTimeOffset IssuedAt);

/// <summary>The admin deleted a key: from then on it is refused on every node.</summary>
public sealed record TenantKeyRevoked(string KeyId, string Role, DateTimeOffset RevokedAt);

/// <summary>Every token issued to the user before <paramref name="RevokedAt"/> is refused from then on.</summary>
public sealed record UserTokensRevoked(string UserId, DateTimeOffset RevokedAt);
