using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace MessagePlatform.Api.Access;

public static class AccessConfig
{
    public static IHostApplicationBuilder AddAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMemoryCache();
        builder.Services.AddAuthentication(KeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, KeyAuthentication>(KeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Admin, p => p.RequireClaim(Roles.RoleClaim, Roles.Admin))
            .AddPolicy(Roles.App, p => p.RequireClaim(Roles.RoleClaim, Roles.App))
            .AddPolicy(Roles.Auditor, p => p.RequireClaim(Roles.RoleClaim, Roles.Auditor))
            .AddPolicy(Roles.User, p => p.RequireClaim(Roles.RoleClaim, Roles.User))
            .AddPolicy(Roles.AppOrUser, p => p.RequireClaim(Roles.RoleClaim, Roles.App, Roles.User));
        KeyRingInPostgres.AddTo(builder.Services);
        return builder;
    }

    /// <summary>Tells OpenAPI what every protected group may answer: 401 without a credential, 403 for the wrong role.</summary>
    public static RouteGroupBuilder ProducesAccessProblems(this RouteGroupBuilder group) =>
        group.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

    /// <summary>The tenant a key belongs to; endpoints behind a tenant policy always have one.</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(Roles.TenantClaim) ?? throw new InvalidOperationException("No tenant on this credential.");
}
