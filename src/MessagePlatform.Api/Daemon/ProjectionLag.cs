using System.Diagnostics.Metrics;
using MessagePlatform.Api.Messages;
using MessagePlatform.Projections.UserChain;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Daemon;

/// <summary>
/// Readiness of the store's readers, from what <see cref="ReaderProgress"/> last sampled (a probe
/// runs no query): degraded when one trails past `Health:LagDegradedAtEvents`, has made no progress
/// for `Health:StalledAfterSeconds` while events wait for it, or cannot be sampled; never unhealthy
/// (sends still work). Each reader's lag is in the data as `lag.{reader}`, a stalled one's time
/// stuck as `stalledSeconds.{reader}`; the same lags are gauges for dashboards.
/// </summary>
public sealed class ProjectionLag : IHealthCheck
{
    private readonly ReaderProgress _progress;
    private readonly PushBacklog _pushes;
    private readonly HealthOptions _options;

    public ProjectionLag(ReaderProgress progress, PushBacklog pushes, IOptions<HealthOptions> options, IMeterFactory meters)
    {
        (_progress, _pushes, _options) = (progress, pushes, options.Value);
        // Unit "events": Prometheus names them mp_projection_lag_events and mp_subscription_lag_events.
        var meter = meters.Create(Platform.PlatformMeters.MeterName);
        meter.CreateObservableGauge("mp.projection.lag", () => UserChainLag(_progress.Latest), "events",
            "Events appended that the user chain has not projected yet");
        meter.CreateObservableGauge("mp.subscription.lag", ReaderLags, "events",
            "Events appended that each reader of the store (projection or subscription) has not processed yet");
    }

    /// <summary>The user chain's lag (what the benchmark waits on), the head, its position, and every reader's lag.</summary>
    public sealed record Measured(long Lag, long Head, long Projected, IReadOnlyDictionary<string, long> Readers);

    /// <summary>A fresh sample, for work that must not act on one a fraction of a second old (a rebuild's extent).</summary>
    public async Task<Measured> MeasureAsync(CancellationToken ct) => Of(await _progress.SampleAsync(ct));

    private static Measured Of(ReaderSnapshot sample)
    {
        var chain = sample.Of(UserChainProjection.ProjectionName);
        return new Measured(chain?.Lag ?? sample.Head, sample.Head, chain?.Position ?? 0, sample.Readers.ToDictionary(r => r.Name, r => r.Lag));
    }

    private static long UserChainLag(ReaderSnapshot? sample) => sample is null ? 0 : Of(sample).Lag;

    private IEnumerable<Measurement<long>> ReaderLags() =>
        (_progress.Latest?.Readers ?? []).Select(r => new Measurement<long>(r.Lag, new KeyValuePair<string, object?>("subscription", r.Name)));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(Judge(_progress.Latest, _progress.Failing, DateTimeOffset.UtcNow, _options, _pushes.Trailing));

    /// <summary>Readiness from a sample: pure, so the thresholds are tested without a database.</summary>
    public static HealthCheckResult Judge(ReaderSnapshot? sample, bool failing, DateTimeOffset now, HealthOptions options, TimeSpan pushTrailing)
    {
        if (sample is null)
            return failing ? HealthCheckResult.Degraded("the readers' progress could not be sampled yet")
                : HealthCheckResult.Healthy("the readers' progress is not sampled yet");
        var measured = Of(sample);
        var data = new Dictionary<string, object>
        {
            ["lagEvents"] = measured.Lag, ["headSequence"] = measured.Head, ["userChainSequence"] = measured.Projected,
            ["sampleAgeMs"] = (long)(now - sample.At).TotalMilliseconds,
            // In time, as intake judges it (0 when intake backpressure is off).
            ["pushTrailingMs"] = (long)pushTrailing.TotalMilliseconds,
        };
        // Every reader's lag, so an operator (and the benchmark) sees which one trails.
        foreach (var reader in sample.Readers) data[$"lag.{reader.Name}"] = reader.Lag;
        var stalledAfter = TimeSpan.FromSeconds(options.StalledAfterSeconds);
        var stalled = sample.Readers.Where(r => r.Stalled(stalledAfter)).ToList();
        foreach (var reader in stalled) data[$"stalledSeconds.{reader.Name}"] = (long)reader.StuckFor.TotalSeconds;
        var behind = sample.Readers.Where(r => r.Lag >= options.LagDegradedAtEvents).Select(r => $"{r.Name} {r.Lag} events behind");
        var problems = stalled.Select(r => $"{r.Name} stalled for {r.StuckFor.TotalSeconds:0} s with events waiting").Concat(behind).ToList();
        if (failing) problems.Add("the readers' progress cannot be sampled; the figures are from the last sample");
        return problems.Count == 0
            ? HealthCheckResult.Healthy($"user chain {measured.Lag} events behind", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data);
    }
}
