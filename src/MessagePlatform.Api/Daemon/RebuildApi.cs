using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Daemon;

/// <summary>
/// Rebuilds of the read models: the request starts one and answers 202 with where to follow it
/// (<see cref="ProjectionRebuilds"/> runs it, apart from the request).
/// </summary>
public static class RebuildApi
{
    public static RouteGroupBuilder MapRebuildApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/projections").WithTags("Operations").RequireAuthorization(Roles.Admin)
            .ProducesAccessProblems();
        group.MapPost("/rebuild", Rebuild).WithName("rebuildProjections")
            .WithSummary("Start rebuilding the session chain and the user chain from the events: 202 with the rebuild's status at Location; " +
                         "409 while one runs (naming it) or on a node that does not run the projections.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/rebuilds/{rebuildId}", GetRebuild).WithName("getRebuild")
            .WithSummary("A rebuild's status on this node: running, completed or failed (with the error), its events and duration.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static Results<Accepted<RebuildView>, ProblemHttpResult> Rebuild(ProjectionRebuilds rebuilds) => rebuilds.Start() switch
    {
        RebuildStart.Started started => TypedResults.Accepted(Location(started.Rebuild), started.Rebuild),
        RebuildStart.AlreadyRunning running => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Rebuild running",
            detail: $"Rebuild {running.Rebuild.RebuildId} is running; follow it at {Location(running.Rebuild)}.",
            extensions: new Dictionary<string, object?> { ["rebuildId"] = running.Rebuild.RebuildId, ["location"] = Location(running.Rebuild) }),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not the projection node",
            detail: "This node does not run the projections now; send the rebuild to the node that does."),
    };

    public static Results<Ok<RebuildView>, ProblemHttpResult> GetRebuild(string rebuildId, ProjectionRebuilds rebuilds) =>
        rebuilds.Find(rebuildId) is { } view ? TypedResults.Ok(view) : Problems.NotFound($"No rebuild '{rebuildId}' on this node.");

    private static string Location(RebuildView view) => $"/v1/admin/projections/rebuilds/{view.RebuildId}";
}
