using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Gc;

/// <summary>
/// GC in /health/ready: degraded (never unhealthy: sends and reads still work) when passes on this
/// node failed `Gc:DegradedAfterFailures` times in a row, or the last pass left sessions that failed
/// that often in a row. What it reports is what this node's last pass found: no query per probe.
/// A node that never ran a pass (another holds the GC lock) reports healthy.
/// </summary>
public sealed class GcHealth(IOptions<GcOptions> options, TimeProvider clock) : IHealthCheck
{
    private sealed record Last(DateTimeOffset At, int FailedPasses, long FailingSessions, string? Error, GcPassReport? Report);

    private volatile Last _last = new(DateTimeOffset.MinValue, 0, 0, null, null);

    public void PassCompleted(GcPassReport report, long failingSessions) =>
        _last = new Last(clock.GetUtcNow(), 0, failingSessions, null, report);

    public void PassFailed(Exception e)
    {
        var last = _last;
        _last = last with { At = clock.GetUtcNow(), FailedPasses = last.FailedPasses + 1, Error = e.Message };
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var last = _last;
        var threshold = options.Value.DegradedAfterFailures;
        var data = new Dictionary<string, object> { ["failedPassesInARow"] = last.FailedPasses, ["failingSessions"] = last.FailingSessions };
        if (last.Report is { } report) data["lastPassFailedSessions"] = report.SessionsFailed;
        if (last.At != DateTimeOffset.MinValue) data["lastPassAt"] = last.At;
        if (last.FailedPasses >= threshold)
            return Task.FromResult(HealthCheckResult.Degraded($"the last {last.FailedPasses} GC passes failed: {last.Error}", data: data));
        if (last.FailingSessions > 0)
            return Task.FromResult(HealthCheckResult.Degraded(
                $"{last.FailingSessions} sessions failed GC {threshold} or more times in a row (GET /v1/admin/gc/failures)", data: data));
        return Task.FromResult(HealthCheckResult.Healthy("GC passes complete", data));
    }
}
