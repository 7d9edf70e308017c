using System.Globalization;
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
        group.MapPost("/", Broadcast).WithName("sendBroadcast").WithSummary(
            "Send an operations message to every user of the tenant, or to the holders of any of `tags`: stored once, read by " +
            "each user's sync as a `broadcast` item and pushed to online users. `onlineOnly` ones are pushed at most once and never " +
            "kept. The same clientMsgId answers 200 with the first broadcast.")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    public static async Task<Results<Created<SentBroadcast>, Ok<SentBroadcast>, ValidationProblem, ProblemHttpResult>> Broadcast(
        BroadcastRequest request, HttpContext http, Broadcasting broadcasting, BroadcastThrottle throttle, CancellationToken ct)
    {
        var (errors, tooLarge) = BroadcastRules.Validate(request.ClientMsgId, request.Type, request.Body, request.Tags, request.Priority);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (tooLarge)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large",
                detail: $"A broadcast body is at most {SendRules.MaxBodyBytes} bytes of JSON.");
        if (throttle.RetryAfter(http.User.TenantId()) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many broadcasts",
                detail: "This tenant is broadcasting faster than its limit; retry after the given time.");
        }
        var command = new SendBroadcast(request.ClientMsgId!, request.Type!, request.Body!.Value, request.Tags ?? [],
            request.Priority ?? "normal", request.OnlineOnly ?? false);
        var (sent, created) = await broadcasting.SendAsync(http.User.TenantId(), command, ct);
        return created ? TypedResults.Created((string?)null, sent) : TypedResults.Ok(sent);
    }
}
