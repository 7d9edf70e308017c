namespace MessagePlatform.Api.Access;

/// <summary>The credential kinds of API.md and the authorization policies named after them.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string App = "app";
    public const string Auditor = "auditor";
    public const string User = "user";

    /// <summary>The policy of endpoints an app key and a user token may both call.</summary>
    public const string AppOrUser = "app-or-user";

    public const string RoleClaim = "mp:role";
    public const string TenantClaim = "mp:tenant";
    public const string UserClaim = "mp:user";
    /// <summary>A user token's issue time (unix milliseconds), so open connections can re-check revocation.</summary>
    public const string IssuedAtClaim = "mp:iat";
}
