namespace MessagePlatform.Bench;

/// <param name="On">Spread sends with the realtime publisher and the webhook outbox reading the store, one cell per round.</param>
/// <param name="Off">The same sends on a node started with `Daemon:Subscriptions=false`, each round right after its "on" cell.</param>
public sealed record PipelineResult(int Concurrency, IReadOnlyList<CellResult> On, IReadOnlyList<CellResult> Off)
{
    public double OnRate => On.Average(c => c.OpsPerSecond);

    public double OffRate => Off.Average(c => c.OpsPerSecond);

    public double Ratio => OnRate / OffRate;

    /// <summary>The share of send throughput the two readers take: 0.1 = 10% fewer sends with them on.</summary>
    public double Cost => 1 - Ratio;
}

/// <summary>
/// What the readers that push and deliver (the realtime publisher and the webhook outbox) cost the
/// write path: the same spread sends on two API processes started alike, one with them and one
/// without, each on a fresh database. Cells alternate on, off, on, off, so a shift in the machine's
/// load (it is shared) falls on both alike; the idle node meanwhile only polls.
/// </summary>
public sealed class PipelineCost(BenchSettings settings, LagJournal lags, CancellationToken interrupted)
{
    public const int Concurrency = 32;

    public int Rounds => settings.Quick ? 2 : 3;

    public async Task<PipelineResult?> RunAsync()
    {
        await using var on = await StartAsync(subscriptions: true);
        await using var off = await StartAsync(subscriptions: false);
        var (onCells, offCells) = (new List<CellResult>(), new List<CellResult>());
        for (var round = 1; round <= Rounds && !interrupted.IsCancellationRequested; round++)
        {
            onCells.Add(await MeasureAsync(on, "pipeline on", round));
            if (!interrupted.IsCancellationRequested) offCells.Add(await MeasureAsync(off, "pipeline off", round));
        }
        return offCells.Count == 0 ? null : new PipelineResult(Concurrency, onCells[..offCells.Count], offCells);
    }

    private async Task<PlatformProcess> StartAsync(bool subscriptions)
    {
        var flag = subscriptions ? "true" : "false";
        Progress.Log($"pipeline: starting an API process with Daemon:Subscriptions={flag} and opening {Workload.SessionCount:N0} sessions");
        var node = await PlatformProcess.StartAsync(subscriptions ? "pipeline_on" : "pipeline_off", new Dictionary<string, string>
        {
            ["Daemon__Subscriptions"] = flag,
            // As for the in-process node: one sender sends thousands a second.
            ["Messages__SenderMessagesPerSecond"] = "0",
        }, interrupted);
        try
        {
            await node.CreateTenantAsync(new { tenantId = "bench", name = "Bench", scenario = "enterprise" });
            await PlatformUnderTest.OpenSessionsAsync(node.App);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private async Task<CellResult> MeasureAsync(PlatformProcess node, string name, int round)
    {
        var api = new PlatformClient(node.App, journal: lags);
        var cell = $"{name} x{Concurrency} round {round}/{Rounds}";
        // Opening the sessions (or the round before) wrote events; the cell should not share the CPU with their readers.
        await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, $"before {cell}");
        Progress.Log($"{cell} running");
        var result = await new LoadCell(name, Concurrency, settings.Warmup, settings.Duration)
            .RunAsync(() => PlatformUnderTest.SendAsync(node.App, Workload.RandomSessionId()));
        Progress.Log($"{cell} {result.OpsPerSecond,9:N0} ops/s  p50 {result.P50Ms:0.0} ms  p99 {result.P99Ms:0.0} ms" +
            (result.ErrorCount == 0 ? "" : $", {result.ErrorCount:N0} errors"));
        await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, $"after {cell}");
        return result;
    }
}
