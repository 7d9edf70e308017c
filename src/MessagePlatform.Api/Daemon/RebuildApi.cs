using System.Diagnostics;
using JasperFx.Events.Daemon;
using Marten;
using MessagePlatform.Api.Access;
using MessagePlatform.Projections.SessionChain;
using MessagePlatform.Projections.UserChain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Daemon;

public sealed record RebuildReport(IReadOnlyList<string> Projections, long Events, long ElapsedMs);

/// <summary>
/// Rebuilds the read models from the events. It runs on the node that holds the projections (the
/// daemon's leader), which stops the projection, clears its tables, replays every event and
/// starts it again; other nodes answer 409 rather than race it. History may look short while the
/// session chain replays.
/// </summary>
public static class RebuildApi
{
    public static RouteGroupBuilder MapRebuildApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/projections").WithTags("Operations").RequireAuthorization(Roles.Admin)
            .ProducesAccessProblems();
        group.MapPost("/rebuild", Rebuild)
            .WithSummary("Rebuild the session chain and the user chain from the events, with progress in the logs.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<Results<Ok<RebuildReport>, ProblemHttpResult>> Rebuild(
        Marten.Events.Daemon.Coordination.IProjectionCoordinator coordinator, IDocumentStore store, ProjectionLag lag,
        ILogger<RebuildReport> log, CancellationToken ct)
    {
        var daemon = coordinator.DaemonForMainDatabase();
        if (!daemon.IsRunning || daemon.CurrentAgents().Count == 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not the projection node",
                detail: "This node does not run the projections now; send the rebuild to the node that does.");

        string[] projections = [SessionChainProjection.ProjectionName, UserChainProjection.ProjectionName];
        var head = (await lag.MeasureAsync(ct)).Head;
        var clock = Stopwatch.StartNew();
        foreach (var name in projections)
        {
            log.LogInformation("Rebuilding {Projection} over {Events} events", name, head);
            using var progress = ReportProgress(store, name, head, log);
            await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), ct);
            log.LogInformation("Rebuilt {Projection} in {ElapsedMs} ms", name, clock.ElapsedMilliseconds);
        }
        // A rebuild on the running daemon leaves the async shard stopped; projecting new events resumes here.
        await daemon.StartAgentAsync($"{UserChainProjection.ProjectionName}:All", ct);
        return TypedResults.Ok(new RebuildReport(projections, head, clock.ElapsedMilliseconds));
    }

    /// <summary>Logs the rebuild's position every second until disposed: long work shows progress.</summary>
    private static IDisposable ReportProgress(IDocumentStore store, string projection, long head, ILogger log)
    {
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                var progress = await store.Advanced.AllProjectionProgress(token: stop.Token);
                var at = progress.FirstOrDefault(p => p.ShardName.StartsWith(projection))?.Sequence ?? 0;
                log.LogInformation("Rebuilding {Projection}: {Sequence} of {Head} events ({Percent:0}%)",
                    projection, at, head, head == 0 ? 100 : 100.0 * at / head);
            }
        });
        return stop;
    }
}
