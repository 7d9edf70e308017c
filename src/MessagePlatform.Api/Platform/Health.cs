using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MessagePlatform.Api.Platform;

/// <summary>Liveness (the process answers) and readiness (database, and the bus: MassTransit tags its checks "ready").</summary>
public static class Health
{
    public const string Ready = "ready";

    /// <summary>The longest one check of the store may take before readiness calls it failing.</summary>
    public static readonly TimeSpan CheckWithin = TimeSpan.FromSeconds(3);

    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = WriteJson,
            // Degraded answers 200 on purpose: a degraded node (the broker lost) still stores and answers
            // sends, and every node shares the one broker, so a load balancer that took degraded nodes out
            // would turn late pushes into refused sends on all of them. Unhealthy (no database, still
            // starting) answers 503; the body says which check is which.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
    }

    /// <summary>
    /// Anonymous callers get each check's status, a fixed description and its numbers only: a failing
    /// check's description and data carry exception text (host names, ports, driver messages), which
    /// goes to the node's log instead.
    /// </summary>
    private static Task WriteJson(HttpContext http, HealthReport report)
    {
        var log = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Health));
        foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy))
            log.LogWarning(entry.Exception, "Health check {HealthCheck} is {HealthStatus}: {HealthDescription}", name, entry.Status, entry.Description);
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = Describe(e.Value.Status),
                data = e.Value.Data.Where(d => d.Value is int or long or double or decimal).ToDictionary(d => d.Key, d => d.Value),
            }),
        }, JsonSerializerOptions.Web);
    }

    private static string Describe(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "ok",
        HealthStatus.Degraded => "degraded; the node's log says why",
        _ => "failing; the node's log says why",
    };
}
