using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Outbound;
using MessagePlatform.Api.Platform;
using MessagePlatform.Projections;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MessagePlatform.Api.Webhooks;

public sealed record WebhookRequest(string? Url, string? Secret, string[]? Events);

public sealed record WebhookView(string Url, string[] Events);

public sealed record ParkedDelivery(string DeliveryId, string SessionId, int Attempts, string? LastError, DateTimeOffset CreatedAt);

public static class WebhooksApi
{
    public static void MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var session = app.MapGroup("/v1/sessions/{sessionId}/webhook").WithTags("Webhooks").RequireAuthorization(Roles.App)
            .ProducesAccessProblems();
        session.MapPut("/", PutForSession).WithName("setSessionWebhook").WithSummary("Send this session's events to a URL (signed, at least once, in seq order).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        session.MapDelete("/", DeleteForSession).WithName("removeSessionWebhook").WithSummary("Stop this session's own webhook (the tenant default applies again).");

        var tenant = app.MapGroup("/v1/webhooks").WithTags("Webhooks").RequireAuthorization(Roles.App)
            .ProducesAccessProblems();
        tenant.MapPut("/default", PutDefault).WithName("setDefaultWebhook").WithSummary("The webhook of every session of the tenant without its own.");
        tenant.MapDelete("/default", DeleteDefault).WithName("removeDefaultWebhook").WithSummary("Remove the tenant's default webhook.");
        tenant.MapGet("/parked", Parked).WithName("listParkedDeliveries").WithSummary("Deliveries that failed every retry, for an operator to look at and replay.");
        tenant.MapPost("/parked/{deliveryId}/replay", Replay).WithName("replayParkedDelivery").WithSummary("Send a parked delivery again (same deliveryId).")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Dictionary<string, string[]>> ValidateAsync(WebhookRequest request, OutboundTargets targets, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (await targets.RefusalAsync(request.Url, ct) is { } refusal) errors["url"] = [refusal];
        if (string.IsNullOrEmpty(request.Secret) || request.Secret.Length is < 16 or > 256)
            errors["secret"] = ["is required, 16 to 256 characters"];
        if (request.Events is not { Length: > 0 } || request.Events.Any(e => !WebhookRegistry.EventTypes.Contains(e)))
            errors["events"] = [$"must list some of {string.Join(", ", WebhookRegistry.EventTypes)}"];
        return errors;
    }

    public static async Task<Results<Ok<WebhookView>, ValidationProblem, ProblemHttpResult>> PutForSession(
        string sessionId, WebhookRequest request, HttpContext http, SessionStreams streams, WebhookRegistry registry, OutboundTargets targets,
        CancellationToken ct)
    {
        if (await ValidateAsync(request, targets, ct) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var tenantId = http.User.TenantId();
        if ((await streams.LoadAsync(tenantId, sessionId, ct)).Session is null) return Problems.NotFound($"Unknown session '{sessionId}'.");
        await registry.PutAsync(tenantId, sessionId, new WebhookRegistration(request.Url!, request.Secret!, request.Events!), ct);
        return TypedResults.Ok(new WebhookView(request.Url!, request.Events!));
    }

    public static async Task<NoContent> DeleteForSession(string sessionId, HttpContext http, WebhookRegistry registry, CancellationToken ct)
    {
        await registry.DeleteAsync(http.User.TenantId(), sessionId, ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<WebhookView>, ValidationProblem>> PutDefault(
        WebhookRequest request, HttpContext http, WebhookRegistry registry, OutboundTargets targets, CancellationToken ct)
    {
        if (await ValidateAsync(request, targets, ct) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        await registry.PutAsync(http.User.TenantId(), "", new WebhookRegistration(request.Url!, request.Secret!, request.Events!), ct);
        return TypedResults.Ok(new WebhookView(request.Url!, request.Events!));
    }

    public static async Task<NoContent> DeleteDefault(HttpContext http, WebhookRegistry registry, CancellationToken ct)
    {
        await registry.DeleteAsync(http.User.TenantId(), "", ct);
        return TypedResults.NoContent();
    }

    private static readonly string Deliveries = ReadModels.Qualified(WebhookTables.Deliveries);

    public static async Task<Ok<List<ParkedDelivery>>> Parked(HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select id, session_id, attempts, last_error, created_at from {Deliveries} where tenant_id = $1 and status = 'parked' order by created_at limit 500", http.User.TenantId());
        var parked = new List<ParkedDelivery>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            parked.Add(new ParkedDelivery(reader.GetString(0), reader.GetString(1), reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        return TypedResults.Ok(parked);
    }

    public static async Task<Results<Ok, ProblemHttpResult>> Replay(string deliveryId, HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"update {Deliveries} set status = 'pending', attempts = 0, next_attempt_at = now(), settled_at = null where id = $1 and tenant_id = $2 and status = 'parked'", deliveryId, http.User.TenantId());
        return await cmd.ExecuteNonQueryAsync(ct) == 1 ? TypedResults.Ok() : Problems.NotFound($"No parked delivery '{deliveryId}'.");
    }
}
