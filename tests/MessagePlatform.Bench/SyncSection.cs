namespace MessagePlatform.Bench;

/// <summary>The steps of one rate sweep, stopped at the first that missed.</summary>
public sealed record RateSweep(string Workload, IReadOnlyList<SyncResult> Steps)
{
    public static bool Passed(SyncResult step) => step.P99Ms < SyncSection.SustainedP99Ms && step.RateReached;

    /// <summary>
    /// The last step that passed; or, when the sender itself fell short while latency held, the rate
    /// it did reach, since the server kept up with everything it was given. Null: not even the first step.
    /// </summary>
    public double? Sustained => Steps is [.., var last] && !last.RateReached && last.P99Ms < SyncSection.SustainedP99Ms
        ? last.AchievedRate
        : Steps.LastOrDefault(Passed)?.Rate;
}

public sealed record SyncReport(IReadOnlyList<SyncResult> Latencies, IReadOnlyList<RateSweep> Sweeps);

/// <summary>
/// Send → visible in sync: latency per session shape at a steady rate, then the highest rate each
/// of two workloads sustains. Shapes run one at a time, each after the projection has caught up.
/// </summary>
public sealed class SyncSection(PlatformClient api, BenchSettings settings, CancellationToken interrupted)
{
    public const double LatencyRate = 100;
    public const double SustainedP99Ms = 1_000;

    // A backlog left by a step that missed can take a while to project; the next cell should not pay for it.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(5);
    private readonly Dictionary<string, SyncObserver> _observers = [];
    private bool _first = true;

    public async Task<SyncReport> RunAsync()
    {
        Progress.Log("sync: opening c2c sessions and groups of 10, 100 and 500");
        var c2c = await OpenAsync(SyncShape.C2c("c2c", "obs-c2c", "peer-", 50));
        var g10 = await OpenAsync(SyncShape.Groups("obs-g10", 10, 20));
        var g100 = await OpenAsync(SyncShape.Groups("obs-g100", 100, 20));
        var g500 = await OpenAsync(SyncShape.Groups("obs-g500", 500, 4));
        // Many sessions, so the sweep measures the projection and not one session's commit lane.
        var c2cMany = await OpenAsync(SyncShape.C2c("c2c (1,000 sessions)", "obs-rate", "rpeer-", 1_000));

        var latencies = new List<SyncResult>();
        foreach (var shape in new[] { c2c, g10, g100, g500 })
        {
            if (interrupted.IsCancellationRequested) break;
            latencies.Add(await RunCellAsync(shape, LatencyRate));
        }
        var sweeps = new List<RateSweep>();
        foreach (var shape in new[] { c2cMany, g100 })
            if (!interrupted.IsCancellationRequested) sweeps.Add(await SweepAsync(shape));
        return new SyncReport(latencies, sweeps);
    }

    private async Task<SyncShape> OpenAsync(SyncShape shape)
    {
        var opened = await shape.OpenAsync(api);
        _observers[shape.Observer] = new SyncObserver(api, shape.Observer);
        return opened;
    }

    private async Task<RateSweep> SweepAsync(SyncShape shape)
    {
        var steps = new List<SyncResult>();
        foreach (var rate in settings.RateSteps)
        {
            if (interrupted.IsCancellationRequested) break;
            var step = await RunCellAsync(shape, rate);
            steps.Add(step);
            if (!RateSweep.Passed(step)) break;
        }
        return new RateSweep(shape.Name, steps);
    }

    private async Task<SyncResult> RunCellAsync(SyncShape shape, double rate)
    {
        var name = $"sync {shape.Name} @{rate:N0}/s";
        if (_first)
        {
            // Opening the shapes wrote events too; the first cell should not share the CPU with their readers.
            await api.WaitForProjectionAsync(DrainTimeout, interrupted, $"before {name}");
            _first = false;
        }
        Progress.Log($"{name} running");
        var result = await new SyncCell(shape, rate, settings.Warmup, settings.Duration).RunAsync(api, _observers[shape.Observer], interrupted);
        var notes = (result.NotSeen > 0 ? $", {result.NotSeen:N0} not seen" : "")
            + (result.Skipped > 0 ? $", {result.Skipped:N0} skipped" : "")
            + (result.ErrorCount > 0 ? $", {result.ErrorCount:N0} errors" : "");
        Progress.Log($"{name}: {result.AchievedRate:N0}/s  p50 {SyncTable.Ms(result.P50Ms)} ms  p99 {SyncTable.Ms(result.P99Ms)} ms  ({result.PollsPerSecond:N0} syncs/s){notes}");
        // The next cell starts only once every reader has caught up with this one's events.
        await api.WaitForProjectionAsync(DrainTimeout, interrupted, $"after {name}");
        return result;
    }
}
