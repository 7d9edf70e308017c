namespace MessagePlatform.Api.Access;

/// <summary>The credential kinds of API.md and the authorization policies named after them.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string App = "app";
    public const string Auditor = "auditor";

    public const string RoleClaim = "mp:role";
    public const string TenantClaim = "mp:tenant";
}
