using Marten;
using JasperFx;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Tenants;

public sealed record CreateTenantRequest(string? TenantId, string? Name, Scenario? Scenario, SendLimits? Limits, int? TimelineRetentionDays,
    string? BroadcastRetention);

public sealed record CreatedTenant(string TenantId, string Name, Scenario Scenario, string AppKey, string AuditorKey);

public sealed record TenantView(
    string TenantId, string Name, Scenario Scenario, SessionPolicy DefaultPolicy, int WriteDiffusionThreshold,
    DateTimeOffset CreatedAt, SendLimits Limits, int TimelineRetentionDays,
    string BroadcastRetention);

public static partial class TenantsApi
{
    public static RouteGroupBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/tenants").WithTags("Tenants").RequireAuthorization(Roles.Admin)
            .ProducesAccessProblems();
        group.MapPost("/", CreateTenant).WithName("createTenant").WithSummary("Create a tenant; its app and auditor keys are shown only here.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{tenantId}", GetTenant).WithName("getTenant").WithSummary("A tenant with its default policies (no keys).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapTenantKeys();
        return group;
    }

    public static async Task<Results<Created<CreatedTenant>, ValidationProblem, ProblemHttpResult>> CreateTenant(
        CreateTenantRequest request, IDocumentSession session, TimeProvider clock, ILogger<Tenant> log, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.TenantId is null || !TenantIds.IsValid(request.TenantId))
            errors["tenantId"] = [$"must match {TenantIds.Rule}"];
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
            errors["name"] = ["is required, at most 200 characters"];
        else if (!StorableText.IsStorable(request.Name))
            errors["name"] = [StorableText.Rule];
        if (request.Scenario is null)
            errors["scenario"] = ["must be 'live', 'enterprise' or 'social'"];
        foreach (var (field, messages) in request.Limits?.Validate() ?? []) errors[field] = messages;
        if (request.TimelineRetentionDays is < 1 or > 3650) errors["timelineRetentionDays"] = ["must be 1 to 3650"];
        if (request.BroadcastRetention is { } kept && !SessionPolicy.IsRetention(kept))
            errors["broadcastRetention"] = ["must be 'forever', 'days:N' or 'last:N' with N a positive integer"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var now = clock.GetUtcNow();
        var scenario = request.Scenario!.Value;
        var tenant = new Tenant(request.TenantId!, request.Name!.Trim(), scenario, ScenarioDefaults.PolicyFor(scenario),
            ScenarioDefaults.WriteDiffusionThreshold, now, request.Limits, request.TimelineRetentionDays,
            request.BroadcastRetention);
        var appKey = Credentials.NewKey(Roles.App);
        var auditorKey = Credentials.NewKey(Roles.Auditor);
        session.Insert(tenant);
        var keys = new[] { new ApiKey(Credentials.Fingerprint(appKey), tenant.Id, Roles.App, now),
            new ApiKey(Credentials.Fingerprint(auditorKey), tenant.Id, Roles.Auditor, now) };
        foreach (var key in keys) session.Insert(key);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: $"Tenant '{tenant.Id}' already exists.");
        }
        log.LogInformation("Created tenant {TenantId} for scenario {Scenario}", tenant.Id, scenario);
        return TypedResults.Created($"/v1/tenants/{tenant.Id}",
            new CreatedTenant(tenant.Id, tenant.Name, scenario, appKey, auditorKey));
    }

    public static async Task<Results<Ok<TenantView>, ProblemHttpResult>> GetTenant(
        string tenantId, IQuerySession session, CancellationToken ct)
    {
        var tenant = await session.LoadAsync<Tenant>(tenantId, ct);
        return tenant is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No tenant '{tenantId}'.")
            : TypedResults.Ok(new TenantView(tenant.Id, tenant.Name, tenant.Scenario, tenant.DefaultPolicy,
                tenant.WriteDiffusionThreshold, tenant.CreatedAt, tenant.SendLimits, tenant.TimelineRetentionDays,
                tenant.BroadcastRetentionPolicy));
    }
}
