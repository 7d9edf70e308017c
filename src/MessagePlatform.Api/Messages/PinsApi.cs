using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Messages;

public sealed record PinRequest(string? MsgId, string? By);

public sealed record PinView(string MsgId, string By, DateTimeOffset PinnedAt);

public sealed record PinList(IReadOnlyList<PinView> Pins);

public static class PinsApi
{
    private static readonly string Pins = Qualified(SessionPinsTable);

    public static RouteGroupBuilder MapPinsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions/{sessionId}/pins").WithTags("Messages").RequireAuthorization(Roles.AppOrUser)
            .ProducesAccessProblems()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Pin).WithName("pinMessage").WithSummary(
            $"Pin a message of the session as `by` (a member); pinning it again answers 200. At most {PinRules.MaxPins} pins per session; " +
            "a retracted message cannot be pinned and leaves the pins.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{msgId}", Unpin).WithName("unpinMessage").WithSummary(
            "Unpin a message as `by` (the query's, or the user token's); one not pinned answers 204 too.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", List).WithName("listPins").WithSummary("The session's pinned messages, oldest pin first.");
        return group;
    }

    public static async Task<Results<Ok<PinView>, ValidationProblem, ProblemHttpResult>> Pin(
        string sessionId, PinRequest request, HttpContext http, GroupCommit commits, SessionHistory history,
        NpgsqlDataSource db, ILogger<PinView> log, CancellationToken ct)
    {
        var caller = http.User.Caller();
        var by = ActingAs.Resolve(caller, request.By, asAdmin: false, out var forbidden, out var invalid);
        if (forbidden is not null) return forbidden;
        if (invalid is not null) return invalid;
        if (request.MsgId is null || !long.TryParse(request.MsgId, out var id) || id <= 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["msgId"] = ["is required: the msgId of a message of this session"] });
        var tenantId = caller.TenantId;
        var pin = new PinMessage(sessionId, id, by!);
        var command = new TargetedCommand<MessageRef>(tenantId, sessionId,
            token => history.FindRefAsync(tenantId, sessionId, id, token),
            (session, target, now) => PinRules.Pin(session, target, pin, now));
        var outcome = await commits.ExecuteAsync(command, ct);
        if (outcome.Rejection is { } rejection) return Problems.For(rejection);
        if (outcome.Appended.Select(a => a.Data).OfType<MessagePinned>().FirstOrDefault() is { } pinned)
        {
            log.LogInformation("Pinned {MsgId} in {SessionId} of {TenantId} by {By}", id, sessionId, tenantId, by);
            return TypedResults.Ok(new PinView(request.MsgId, pinned.By, pinned.At));
        }
        // Pinned already: the pin as it stands (the table is written with the pin's own commit).
        var standing = (await ListAsync(db, tenantId, sessionId, id, ct)).FirstOrDefault();
        return standing is null ? Problems.NotFound($"No pin of {id} in this session.") : TypedResults.Ok(standing);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Unpin(
        string sessionId, string msgId, string? by, HttpContext http, GroupCommit commits, ILogger<PinView> log, CancellationToken ct)
    {
        var caller = http.User.Caller();
        var actor = ActingAs.Resolve(caller, by, asAdmin: false, out var forbidden, out var invalid);
        if (forbidden is not null) return forbidden;
        if (invalid is not null) return invalid;
        var tenantId = caller.TenantId;
        var id = long.Parse(msgId);
        var unpin = new UnpinMessage(sessionId, id, actor!);
        var outcome = await commits.ExecuteAsync(new SessionCommand(tenantId, sessionId, (session, now) => PinRules.Unpin(session, unpin, now)), ct);
        if (outcome.Rejection is { } rejection) return Problems.For(rejection);
        if (outcome.Appended.Count > 0) log.LogInformation("Unpinned {MsgId} in {SessionId} of {TenantId} by {By}", id, sessionId, tenantId, actor);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<PinList>, ProblemHttpResult>> List(
        string sessionId, HttpContext http, SessionStreams streams, NpgsqlDataSource db, CancellationToken ct)
    {
        var caller = http.User.Caller();
        var (session, _) = await streams.LoadAsync(caller.TenantId, sessionId, ct);
        if (session is null) return Problems.NotFound($"Unknown session '{sessionId}'.");
        if (caller.IsUser && !session.Admits(caller.UserId!))
            return Problems.Forbidden($"'{caller.UserId}' is not a member of this session.");
        return TypedResults.Ok(new PinList(await ListAsync(db, caller.TenantId, sessionId, null, ct)));
    }

    private static async Task<List<PinView>> ListAsync(NpgsqlDataSource db, string tenantId, string sessionId, long? msgId, CancellationToken ct)
    {
        await using var cmd = msgId is { } one
            ? db.Command($"select msg_id, pinned_by, pinned_at from {Pins} where tenant_id = $1 and session_id = $2 and msg_id = $3", tenantId, sessionId, one)
            : db.Command($"select msg_id, pinned_by, pinned_at from {Pins} where tenant_id = $1 and session_id = $2 order by pinned_at, msg_id", tenantId, sessionId);
        var pins = new List<PinView>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) pins.Add(new PinView(reader.GetInt64(0).ToString(), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return pins;
    }
}
