using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Broadcasts;

public sealed record TagsRequest(string[]? Tags);

public sealed record TagsView(string UserId, IReadOnlyList<string> Tags);

public static class TagsApi
{
    public static RouteGroupBuilder MapTagsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/users/{userId}/tags").WithTags("Broadcasts").RequireAuthorization(Roles.App)
            .ProducesAccessProblems();
        group.MapPut("/", SetTags).WithName("setUserTags").WithSummary(
            "Replace a user's tags. Each change is an event with its time; tag broadcasts reach the users holding a tag when sent.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", GetTags).WithName("getUserTags").WithSummary("The tags a user holds now.");
        return group;
    }

    public static async Task<Results<Ok<TagsView>, ValidationProblem, ProblemHttpResult>> SetTags(
        string userId, TagsRequest request, HttpContext http, UserTags tags, ILogger<TagsView> log, CancellationToken ct)
    {
        var errors = TagRules.Validate(request.Tags);
        if (!SendRules.UserIdPattern().IsMatch(userId)) errors["userId"] = [$"must match {SendRules.UserIdRule}"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var tenantId = http.User.TenantId();
        try
        {
            var held = await tags.SetAsync(tenantId, userId, request.Tags!, ct);
            log.LogInformation("Tags of {UserId} in {TenantId} set to {Tags}", userId, tenantId, held);
            return TypedResults.Ok(new TagsView(userId, held));
        }
        catch (Exception e) when (StreamConflicts.Is(e))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: "The user's tags changed at the same time; read them and try again.");
        }
    }

    public static async Task<Results<Ok<TagsView>, ValidationProblem>> GetTags(
        string userId, HttpContext http, UserTags tags, CancellationToken ct)
    {
        if (!SendRules.UserIdPattern().IsMatch(userId))
            return Problems.InvalidUserId();
        return TypedResults.Ok(new TagsView(userId, await tags.HeldAsync(http.User.TenantId(), userId, ct)));
    }
}
