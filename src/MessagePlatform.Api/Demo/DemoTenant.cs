using Marten;
using MessagePlatform.Api.Tenants;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Demo;

/// <summary>
/// Creates the demo tenant at start, through the same handler as <c>POST /v1/tenants</c>; a tenant
/// that already exists (a restart) is kept as it is. Its keys are not needed: DemoApi mints tokens itself.
/// </summary>
public sealed class DemoTenant(DemoOptions options, IDocumentStore store, TimeProvider clock, ILogger<Tenant> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var request = new CreateTenantRequest(options.TenantId, "Web chat demo", Scenario.Social, null, null, null);
        var result = await TenantsApi.CreateTenant(request, session, clock, log, ct);
        switch (result.Result)
        {
            case Created<CreatedTenant>:
                break;
            case ProblemHttpResult { StatusCode: StatusCodes.Status409Conflict }:
                log.LogInformation("Demo tenant {TenantId} already exists", options.TenantId);
                break;
            default:
                throw new InvalidOperationException($"Could not create the demo tenant '{options.TenantId}': {result.Result}");
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
