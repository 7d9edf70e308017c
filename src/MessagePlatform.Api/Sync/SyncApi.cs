using MessagePlatform.Api.Access;
using MessagePlatform.Domain;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Tenants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Sync;

public sealed record SyncPage(IReadOnlyList<SyncEntry> Items, string Cursor, bool HasMore);

public static class SyncApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapSyncApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/users/{userId}").WithTags("Sync").RequireAuthorization(Roles.AppOrUser)
            .ProducesAccessProblems();
        group.MapGet("/sync", Sync).WithName("syncUser").WithSummary(
            "What is new for a user: every message of its c2c and group sessions exactly once, in each session's order. " +
            "Follow `cursor`; without one, sync starts from the beginning of what the user may see.");
        return group;
    }

    public static async Task<Results<Ok<SyncPage>, ValidationProblem, ProblemHttpResult>> Sync(
        string userId, string? cursor, int? limit, HttpContext http, SyncReader reader, SyncVisits visits, TenantDirectory tenants,
        TimeProvider clock, CancellationToken ct)
    {
        if (!http.User.Caller().MayActAs(userId)) return Problems.Forbidden("A user token reads only its own sync.");
        var errors = new Dictionary<string, string[]>();
        if (!SendRules.UserIdPattern().IsMatch(userId)) errors["userId"] = [$"must match {SendRules.UserIdRule}"];
        if (!SyncCursor.TryDecode(cursor, out var from)) errors["cursor"] = ["is not a cursor this platform gave out"];
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"must be 1 to {MaxLimit}"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var tenant = await tenants.FindAsync(http.User.TenantId(), ct);
        if (tenant is null) return Problems.NotFound("The tenant of this key no longer exists.");
        var now = clock.GetUtcNow();
        var horizon = new SyncHorizon(GcRules.TimelineCutoff(now, tenant.TimelineRetentionDays),
            GcRules.BroadcastsCutoff(now, tenant.BroadcastRetentionPolicy));
        var page = await reader.ReadAsync(tenant.Id, userId, from, limit ?? DefaultLimit, horizon, ct);
        await visits.RecordAsync(tenant.Id, userId, ct);
        return TypedResults.Ok(new SyncPage(page.Items, page.Cursor.Encode(), page.HasMore));
    }
}
