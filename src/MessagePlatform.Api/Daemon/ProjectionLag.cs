using System.Diagnostics.Metrics;
using Marten;
using MessagePlatform.Projections.UserChain;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MessagePlatform.Api.Daemon;

/// <summary>
/// How far the user chain trails the event store, in events, polled every few seconds: shown in
/// /health/ready (degraded past a threshold, never unhealthy: sends still work) and as the
/// `mp.projection.lag` gauge for dashboards.
/// </summary>
public sealed class ProjectionLag(IDocumentStore store, ILogger<ProjectionLag> log) : BackgroundService, IHealthCheck
{
    public const long DegradedAtEvents = 10_000;
    private static readonly Meter Meter = new("MessagePlatform");
    private (long Lag, long Head, long Projected, DateTimeOffset At)? _last;

    public async Task<(long Lag, long Head, long Projected)> MeasureAsync(CancellationToken ct)
    {
        var statistics = await store.Advanced.FetchEventStoreStatistics(token: ct);
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var projected = progress.FirstOrDefault(p => p.ShardName.StartsWith(UserChainProjection.ProjectionName))?.Sequence ?? 0;
        var head = statistics.EventSequenceNumber;
        var lag = Math.Max(0, head - projected);
        _last = (lag, head, projected, DateTimeOffset.UtcNow);
        return (lag, head, projected);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Meter.CreateObservableGauge("mp.projection.lag", () => _last?.Lag ?? 0, "events",
            "Events appended that the user chain has not projected yet");
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        do
        {
            try
            {
                await MeasureAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Could not measure projection lag");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var (lag, head, projected) = await MeasureAsync(ct);
        var data = new Dictionary<string, object> { ["lagEvents"] = lag, ["headSequence"] = head, ["userChainSequence"] = projected };
        return lag < DegradedAtEvents
            ? HealthCheckResult.Healthy($"user chain {lag} events behind", data)
            : HealthCheckResult.Degraded($"user chain {lag} events behind", data: data);
    }
}
