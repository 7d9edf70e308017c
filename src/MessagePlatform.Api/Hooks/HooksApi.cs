using Marten;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Outbound;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Hooks;

public sealed record BeforeSendHookRequest(string? Url, string? Secret, int? TimeoutMs, string? FailurePolicy, string[]? Types);

public sealed record BeforeSendHookView(string Url, int TimeoutMs, string FailurePolicy, string[]? Types);

public static class HooksApi
{
    public static RouteGroupBuilder MapHooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/hooks/before-send").WithTags("Hooks").RequireAuthorization(Roles.App)
            .ProducesAccessProblems();
        group.MapPut("/", Put).WithName("setBeforeSendHook").WithSummary("Set the tenant's before-send (moderation) hook: every send is first POSTed there, signed.");
        group.MapDelete("/", Delete).WithName("removeBeforeSendHook").WithSummary("Remove the before-send hook.");
        return group;
    }

    public static async Task<Results<Ok<BeforeSendHookView>, ValidationProblem>> Put(
        BeforeSendHookRequest request, HttpContext http, IDocumentSession session, BeforeSendHook hook, OutboundTargets targets,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (await targets.RefusalAsync(request.Url, ct) is { } refusal) errors["url"] = [refusal];
        if (string.IsNullOrEmpty(request.Secret) || request.Secret.Length is < 16 or > 256)
            errors["secret"] = ["is required, 16 to 256 characters"];
        if (request.TimeoutMs is < 50 or > 10_000) errors["timeoutMs"] = ["must be 50 to 10000"];
        if (request.FailurePolicy is not (null or "open" or "closed")) errors["failurePolicy"] = ["must be 'open' or 'closed'"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var tenantId = http.User.TenantId();
        var config = new BeforeSendHookConfig(tenantId, request.Url!, request.Secret!, request.TimeoutMs ?? 1500,
            request.FailurePolicy ?? "open", request.Types);
        session.Store(config);
        await session.SaveChangesAsync(ct);
        hook.Forget(tenantId);
        return TypedResults.Ok(new BeforeSendHookView(config.Url, config.TimeoutMs, config.FailurePolicy, config.Types));
    }

    public static async Task<NoContent> Delete(HttpContext http, IDocumentSession session, BeforeSendHook hook, CancellationToken ct)
    {
        var tenantId = http.User.TenantId();
        session.Delete<BeforeSendHookConfig>(tenantId);
        await session.SaveChangesAsync(ct);
        hook.Forget(tenantId);
        return TypedResults.NoContent();
    }
}
