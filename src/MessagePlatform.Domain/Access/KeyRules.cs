namespace MessagePlatform.Domain;

/// <summary>A tenant key as the rules see it: its public id and role, never the key.</summary>
public sealed record TenantKey(string KeyId, string Role, DateTimeOffset CreatedAt);

/// <summary>Pure rules of a tenant's keys: several per role so a team rotates without downtime, never none.</summary>
public static class KeyRules
{
    /// <summary>The roles a tenant key may have (the admin key is the platform's, not a tenant's).</summary>
    public static readonly string[] Roles = ["app", "auditor"];

    /// <summary>The stream of a tenant's key changes: '$' never appears in a session id, so the keys cannot meet.</summary>
    public const string KeysStream = "$keys";

    /// <summary>The stream of a user's token revocations.</summary>
    public static string TokensStreamOf(string userId) => $"$tokens:{userId}";

    public static bool IsRole(string? role) => role is not null && Roles.Contains(role, StringComparer.Ordinal);

    public static Decision Issue(string keyId, string role, DateTimeOffset now) =>
        IsRole(role)
            ? Decision.Append(new TenantKeyIssued(keyId, role, now))
            : Decision.Refuse(Rejection.Invalid($"role must be one of: {string.Join(", ", Roles)}."));

    /// <summary>Deleting a key the tenant does not hold is 404; deleting its last key of a role would lock the team out: 409.</summary>
    public static Decision Revoke(IReadOnlyCollection<TenantKey> held, string keyId, DateTimeOffset now)
    {
        var key = held.FirstOrDefault(k => k.KeyId == keyId);
        if (key is null) return Decision.Refuse(Rejection.NotFound($"No key '{keyId}' in this tenant."));
        if (held.Count(k => k.Role == key.Role) == 1)
            return Decision.Refuse(Rejection.Conflict(
                $"Key '{keyId}' is the tenant's last {key.Role} key: issue another before deleting it."));
        return Decision.Append(new TenantKeyRevoked(key.KeyId, key.Role, now));
    }
}
