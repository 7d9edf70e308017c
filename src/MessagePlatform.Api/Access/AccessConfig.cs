using System.Security.Claims;
using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
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
        builder.Services.AddSettings<AccessOptions>(AccessOptions.Section);
        KeyRingInPostgres.AddTo(builder.Services, KeyRingAtRest.From(builder.Configuration, builder.Environment));
        builder.Services.AddSingleton<KeyLookups>();
        builder.Services.AddSingleton<Tenants.TenantKeys>();
        builder.Services.AddSingleton<TokenRevocations>();
        builder.Services.AddHostedService<TokenRevocationFeed>();
        return builder;
    }

    /// <summary>The access slice's tables and stored events, known up front like every other.</summary>
    public static void AddAccessStorage(this StoreOptions options)
    {
        KeyRingInPostgres.AddTo(options);
        TokenRevocations.AddTo(options);
        options.Events.AddEventTypes([typeof(TenantKeyIssued), typeof(TenantKeyRevoked), typeof(UserTokensRevoked)]);
    }

    /// <summary>Tells OpenAPI what every protected group may answer: 401 without a credential, 403 for the wrong role.</summary>
    public static RouteGroupBuilder ProducesAccessProblems(this RouteGroupBuilder group) =>
        group.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

    /// <summary>The tenant a key belongs to; endpoints behind a tenant policy always have one.</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(Roles.TenantClaim) ?? throw new InvalidOperationException("No tenant on this credential.");
}
