using System.Diagnostics.Metrics;
using Marten;
using MessagePlatform.Projections.UserChain;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MessagePlatform.Api.Daemon;

/// <summary>
/// How far each reader of the store (the projections and subscriptions of the daemon) trails it,
/// in events, polled every few seconds: shown in /health/ready (degraded when the user chain is
/// past a threshold, never unhealthy: sends still work) and as gauges for dashboards.
/// </summary>
public sealed class ProjectionLag(IDocumentStore store, Messages.PushBacklog pushes, ILogger<ProjectionLag> log) : BackgroundService, IHealthCheck
{
    public const long DegradedAtEvents = 10_000;
    private static readonly Meter Meter = new("MessagePlatform");
    private volatile Measured? _last;

    /// <summary>The user chain's lag (what readiness judges), the head, its position, and every reader's lag by shard.</summary>
    public sealed record Measured(long Lag, long Head, long Projected, IReadOnlyDictionary<string, long> Readers);

    public async Task<Measured> MeasureAsync(CancellationToken ct)
    {
        var statistics = await store.Advanced.FetchEventStoreStatistics(token: ct);
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var head = statistics.EventSequenceNumber;
        // A reader may run as several shards: it trails as far as its slowest.
        var readers = progress.Where(p => p.ShardName != "HighWaterMark")
            .GroupBy(p => p.ShardName.Split(':')[0])
            .ToDictionary(g => g.Key, g => Math.Max(0, head - g.Min(p => p.Sequence)));
        var projected = progress.FirstOrDefault(p => p.ShardName.StartsWith(UserChainProjection.ProjectionName))?.Sequence ?? 0;
        var measured = new Measured(Math.Max(0, head - projected), head, projected, readers);
        _last = measured;
        return measured;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Meter.CreateObservableGauge("mp.projection.lag", () => _last?.Lag ?? 0, "events",
            "Events appended that the user chain has not projected yet");
        Meter.CreateObservableGauge("mp.subscription.lag", ReaderLags, "events",
            "Events appended that each reader of the store (projection or subscription) has not processed yet");
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

    private IEnumerable<Measurement<long>> ReaderLags() =>
        (_last?.Readers ?? new Dictionary<string, long>()).Select(r =>
            new Measurement<long>(r.Value, new KeyValuePair<string, object?>("subscription", r.Key)));

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var measured = await MeasureAsync(ct);
        var (lag, head, projected) = (measured.Lag, measured.Head, measured.Projected);
        var data = new Dictionary<string, object> { ["lagEvents"] = lag, ["headSequence"] = head, ["userChainSequence"] = projected };
        // Every reader's lag, so an operator (and the benchmark) sees which one trails.
        foreach (var (reader, readerLag) in measured.Readers) data[$"lag.{reader}"] = readerLag;
        // In time, as intake judges it (0 when intake backpressure is off).
        data["pushTrailingMs"] = (long)pushes.Trailing.TotalMilliseconds;
        return lag < DegradedAtEvents
            ? HealthCheckResult.Healthy($"user chain {lag} events behind", data)
            : HealthCheckResult.Degraded($"user chain {lag} events behind", data: data);
    }
}
