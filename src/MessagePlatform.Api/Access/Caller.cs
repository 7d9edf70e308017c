using System.Security.Claims;

namespace MessagePlatform.Api.Access;

/// <summary>Who is calling: a tenant's app servers, its auditors, or one of its end users.</summary>
public sealed record Caller(string TenantId, string Role, string? UserId)
{
    public bool IsUser => Role == Roles.User;

    /// <summary>Whether this caller may act on <paramref name="userId"/>'s own endpoints.</summary>
    public bool MayActAs(string userId) => !IsUser || UserId == userId;
}

public static class CallerClaims
{
    public static Caller Caller(this ClaimsPrincipal user) => new(
        user.TenantId(),
        user.FindFirstValue(Roles.RoleClaim) ?? "",
        user.FindFirstValue(Roles.UserClaim));
}

public static class TokenClaims
{
    /// <summary>When the caller's user token was issued; null for keys.</summary>
    public static DateTimeOffset? TokenIssuedAt(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(Roles.IssuedAtClaim), out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
