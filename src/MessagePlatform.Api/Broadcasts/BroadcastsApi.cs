using System.Text.Json;
using MessagePlatform.Api.Access;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Broadcasts;

public sealed record BroadcastRequest(string? ClientMsgId, string? Type, JsonElement? Body, string[]? Tags, string? Priority, bool? OnlineOnly);

public static class BroadcastsApi
{
    public static RouteGroupBuilder MapBroadcastsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/broadcasts").WithTags("Broadcasts").RequireAuthorization(Roles.App).ProducesAccessProblems();
        group.MapPost("/", Broadcast).WithSummary(
            "Send an operations message to every user of the tenant, or to the holders of any of `tags`: stored once, read by " +
            "each user's sync as a `broadcast` item and pushed to online users. `onlineOnly` ones are pushed at most once and never " +
            "kept. The same clientMsgId answers 200 with the first broadcast.")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    public static async Task<Results<Created<SentBroadcast>, Ok<SentBroadcast>, ValidationProblem, ProblemHttpResult>> Broadcast(
        BroadcastRequest request, HttpContext http, Broadcasting broadcasting, CancellationToken ct)
    {
        var (errors, tooLarge) = BroadcastRules.Validate(request.ClientMsgId, request.Type, request.Body, request.Tags, request.Priority);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (tooLarge)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large",
                detail: $"A broadcast body is at most {SendRules.MaxBodyBytes} bytes of JSON.");
        var command = new SendBroadcast(request.ClientMsgId!, request.Type!, request.Body!.Value, request.Tags ?? [],
            request.Priority ?? "normal", request.OnlineOnly ?? false);
        var (sent, created) = await broadcasting.SendAsync(http.User.TenantId(), command, ct);
        return created ? TypedResults.Created((string?)null, sent) : TypedResults.Ok(sent);
    }
}
