using System.Security.Claims;
using System.Text.Encodings.Web;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Access;

/// <summary>
/// Turns `Authorization: Bearer key` into a principal with a role and a tenant. A string that can be
/// neither a key nor a token is refused by its shape alone; found keys are cached a few seconds
/// (<see cref="KeyLookups"/>) so a send does not pay a database round trip for its credential.
/// </summary>
public sealed class KeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PlatformOptions platform,
    UserTokens userTokens,
    TokenRevocations revocations,
    KeyLookups keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "MessagePlatformKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        // Browsers cannot set headers on a WebSocket: the gateway also takes ?access_token=.
        if (string.IsNullOrEmpty(header) && Request.Path.StartsWithSegments("/v1/connect")
            && Request.Query["access_token"].ToString() is { Length: > 0 } queryToken)
            header = $"Bearer {queryToken}";
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
            return AuthenticateResult.Fail("Authorization must be 'Bearer <credential>'.");
        var presented = header[7..].Trim();

        if (platform.AdminKey is { } admin && Credentials.SameKey(presented, admin))
            return Success(Roles.Admin, tenantId: null);
        if (CredentialShapes.CanBeUserToken(presented))
            return userTokens.TryRead(presented, out var tokenTenant, out var userId, out var issuedAt)
                && !revocations.IsRevoked(tokenTenant, userId, issuedAt)
                ? Success(Roles.User, tokenTenant, userId, issuedAt)
                : AuthenticateResult.Fail("Invalid, expired or revoked user token.");
        if (!CredentialShapes.CanBeKey(presented)) return AuthenticateResult.Fail("Not a key or a token.");

        var key = await keys.FindAsync(presented, Context.RequestAborted);
        return key is null ? AuthenticateResult.Fail("Unknown credential.") : Success(key.Role, key.TenantId);
    }

    private AuthenticateResult Success(string role, string? tenantId, string? userId = null, DateTimeOffset? issuedAt = null)
    {
        var claims = new List<Claim> { new(Roles.RoleClaim, role) };
        if (issuedAt is { } iat) claims.Add(new Claim(Roles.IssuedAtClaim, iat.ToUnixTimeMilliseconds().ToString()));
        if (tenantId is not null) claims.Add(new Claim(Roles.TenantClaim, tenantId));
        if (userId is not null) claims.Add(new Claim(Roles.UserClaim, userId));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, null, Roles.RoleClaim));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status401Unauthorized, "Unauthorized",
            "A valid credential is required: 'Authorization: Bearer <credential>'.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, "Forbidden", "This credential's role may not do this.");

    private Task WriteProblem(int status, string title, string detail)
    {
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized) Response.Headers.WWWAuthenticate = "Bearer";
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
