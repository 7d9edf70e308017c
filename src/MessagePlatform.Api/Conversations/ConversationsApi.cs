using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Conversations;

public sealed record ReadRequest(long? Seq);

public sealed record ReadMark(string SessionId, long ReadSeq);

public sealed record SettingsRequest(bool? Pinned, bool? Muted, bool? Hidden);

public sealed record ConversationSettingsView(string SessionId, bool Pinned, bool Muted, bool Hidden);

public static class ConversationsApi
{
    public const int MaxConversations = 500;

    public static RouteGroupBuilder MapConversationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/users/{userId}/conversations").WithTags("Conversations").RequireAuthorization(Roles.AppOrUser)
            .ProducesAccessProblems();
        group.MapGet("/", List).WithName("listConversations").WithSummary(
            "A user's c2c and group sessions, pinned ones first, then most recent activity first, with the last message, " +
            "unread count, read seq and the user's settings; hidden ones are left out until a newer message arrives.");
        group.MapPost("/{sessionId}/read", MarkRead).WithName("markConversationRead").WithSummary(
            "Move the user's read position in a session forward (never back); unread counts messages of others after it.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{sessionId}/settings", ChangeSettings).WithName("changeConversationSettings").WithSummary(
            "Change the user's own settings of one conversation (pinned, muted, hidden); settings left out stay as they are.")
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

    /// <summary>
    /// A mark at or behind the user's current one is answered from the store without the commit lane
    /// (marks only move forward, so that answer cannot go stale); a mark that moves is decided again in
    /// the lane and appended to the session stream as <see cref="ConversationRead"/>.
    /// </summary>
    public static async Task<Results<Ok<ReadMark>, ValidationProblem, ProblemHttpResult>> MarkRead(
        string userId, string sessionId, ReadRequest request, HttpContext http, SessionStreams streams,
        ConversationList conversations, GroupCommit commits, TimeProvider clock, ILogger<ReadMark> log, CancellationToken ct)
    {
        if (!http.User.Caller().MayActAs(userId)) return Problems.Forbidden("A user token marks only its own conversations.");
        if (request.Seq is not >= 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["seq"] = ["is required and must not be negative"] });
        var tenantId = http.User.TenantId();
        var read = new MarkRead(sessionId, userId, request.Seq.Value);
        var (session, lastSeq) = await streams.LoadAsync(tenantId, sessionId, ct);
        var mark = await conversations.MarkAsync(tenantId, userId, sessionId, ct);
        var decision = ReadRules.Decide(session, mark, lastSeq, read, clock.GetUtcNow());
        if (decision.Rejection is { } refused) return Problems.For(refused);
        if (decision.Events.Count == 0) return TypedResults.Ok(new ReadMark(sessionId, mark));

        var command = new ReadCommand(tenantId, read, token => conversations.MarkAsync(tenantId, userId, sessionId, token));
        var outcome = await commits.ExecuteAsync(command, ct);
        if (outcome.Rejection is { } rejection) return Problems.For(rejection);
        var appended = outcome.Appended.Select(a => a.Data).OfType<ConversationRead>().FirstOrDefault();
        if (appended is not null)
            log.LogDebug("{UserId} read {SessionId} of {TenantId} up to {Seq}", userId, sessionId, tenantId, appended.Seq);
        return TypedResults.Ok(new ReadMark(sessionId, Math.Max(appended?.Seq ?? 0, command.Mark)));
    }

    public static async Task<Results<Ok<ConversationSettingsView>, ValidationProblem, ProblemHttpResult>> ChangeSettings(
        string userId, string sessionId, SettingsRequest request, HttpContext http, SessionStreams streams,
        ConversationSettingsStore settings, CancellationToken ct)
    {
        if (!http.User.Caller().MayActAs(userId)) return Problems.Forbidden("A user token changes only its own conversations.");
        if (!SendRules.UserIdPattern().IsMatch(userId)) return Problems.InvalidUserId();
        var tenantId = http.User.TenantId();
        var (session, _) = await streams.LoadAsync(tenantId, sessionId, ct);
        var change = new ChangeConversationSettings(userId, sessionId, request.Pinned, request.Muted, request.Hidden);
        if (session is null || session.Type == SessionType.Room || !session.Members.Contains(userId))
            return Problems.For(ConversationSettingsRules.Decide(null, change, default).Rejection!);
        var now = await settings.ChangeAsync(tenantId, change, ct);
        return TypedResults.Ok(new ConversationSettingsView(sessionId, now.Pinned, now.Muted, now.Hidden));
    }
}
