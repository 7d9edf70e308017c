using Marten;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Tenants;

public sealed record IssueKeyRequest(string? Role);

public sealed record IssuedKey(string KeyId, string Role, string Key);

public sealed record KeyView(string KeyId, string Role, DateTimeOffset CreatedAt);

public sealed record KeyList(IReadOnlyList<KeyView> Keys);

/// <summary>Key rotation (admin): several keys per role at once, so a team swaps keys without downtime.</summary>
public static class TenantKeysApi
{
    public static RouteGroupBuilder MapTenantKeys(this RouteGroupBuilder tenants)
    {
        var keys = tenants.MapGroup("/{tenantId}/keys");
        keys.MapGet("/", List).WithName("listTenantKeys").WithSummary("The tenant's app and auditor keys: ids, roles and creation times, never the keys.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        keys.MapPost("/", Issue).WithName("issueTenantKey").WithSummary("Issue another key of a role; the key is shown only in this answer.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        keys.MapDelete("/{keyId}", Revoke).WithName("revokeTenantKey").WithSummary(
                "Delete a key: refused on every node within seconds. 409 for the tenant's last key of its role.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return keys;
    }

    public static async Task<Results<Ok<KeyList>, ProblemHttpResult>> List(
        string tenantId, IQuerySession session, TenantKeys keys, CancellationToken ct)
    {
        if (await session.LoadAsync<Tenant>(tenantId, ct) is null) return NoTenant(tenantId);
        var held = await keys.HeldAsync(tenantId, ct);
        return TypedResults.Ok(new KeyList(held.Select(k => new KeyView(Credentials.KeyIdOf(k.Id), k.Role, k.CreatedAt)).ToArray()));
    }

    public static async Task<Results<Created<IssuedKey>, ValidationProblem, ProblemHttpResult>> Issue(
        string tenantId, IssueKeyRequest? request, IQuerySession session, TenantKeys keys, CancellationToken ct)
    {
        if (!KeyRules.IsRole(request?.Role))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["role"] = [$"must be one of: {string.Join(", ", KeyRules.Roles)}"],
            });
        if (await session.LoadAsync<Tenant>(tenantId, ct) is null) return NoTenant(tenantId);
        var (stored, key) = await keys.IssueAsync(tenantId, request!.Role!, ct);
        var keyId = Credentials.KeyIdOf(stored.Id);
        return TypedResults.Created($"/v1/tenants/{tenantId}/keys/{keyId}", new IssuedKey(keyId, stored.Role, key));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        string tenantId, string keyId, IQuerySession session, TenantKeys keys, CancellationToken ct)
    {
        if (await session.LoadAsync<Tenant>(tenantId, ct) is null) return NoTenant(tenantId);
        return await keys.RevokeAsync(tenantId, keyId, ct) is { } rejection ? Problems.For(rejection) : TypedResults.NoContent();
    }

    private static ProblemHttpResult NoTenant(string tenantId) => Problems.NotFound($"No tenant '{tenantId}'.");
}
