using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Conversations;

public sealed record ReadRequest(long? Seq);

public sealed record ReadMark(string SessionId, long ReadSeq);

public static class ConversationsApi
{
    public const int MaxConversations = 500;

    public static RouteGroupBuilder MapConversationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/users/{userId}/conversations").WithTags("Conversations").RequireAuthorization(Roles.AppOrUser)
            .ProducesAccessProblems();
        group.MapGet("/", List).WithName("listConversations").WithSummary(
            "A user's c2c and group sessions, most recent activity first, with the last message, unread count and read seq.");
        group.MapPost("/{sessionId}/read", MarkRead).WithName("markConversationRead").WithSummary(
            "Move the user's read position in a session forward (never back); unread counts messages of others after it.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Results<Ok<IReadOnlyList<ConversationView>>, ValidationProblem, ProblemHttpResult>> List(
        string userId, HttpContext http, ConversationList conversations, CancellationToken ct)
    {
        if (!http.User.Caller().MayActAs(userId)) return Problems.Forbidden("A user token reads only its own conversations.");
        if (!SendRules.UserIdPattern().IsMatch(userId))
            return Problems.InvalidUserId();
        return TypedResults.Ok(await conversations.ListAsync(http.User.TenantId(), userId, MaxConversations, ct));
    }

    public static async Task<Results<Ok<ReadMark>, ValidationProblem, ProblemHttpResult>> MarkRead(
        string userId, string sessionId, ReadRequest request, HttpContext http, SessionStreams streams,
        ConversationList conversations, CancellationToken ct)
    {
        if (!http.User.Caller().MayActAs(userId)) return Problems.Forbidden("A user token marks only its own conversations.");
        if (request.Seq is not >= 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["seq"] = ["is required and must not be negative"] });
        var tenantId = http.User.TenantId();
        var (session, lastSeq) = await streams.LoadAsync(tenantId, sessionId, ct);
        if (session is null || session.Type == SessionType.Room || !session.Members.Contains(userId))
            return Problems.NotFound($"'{userId}' has no conversation '{sessionId}'.");
        // Reading past the end means "all of it": the mark stops at the last seq there is.
        var readSeq = await conversations.MarkReadAsync(tenantId, userId, sessionId, Math.Min(request.Seq.Value, lastSeq), ct);
        return TypedResults.Ok(new ReadMark(sessionId, readSeq));
    }
}
