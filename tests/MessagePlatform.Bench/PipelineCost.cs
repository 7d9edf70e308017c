namespace MessagePlatform.Bench;

/// <param name="On">Spread sends with the realtime publisher and the webhook outbox reading the store.</param>
/// <param name="Off">The same sends on a node started with `Daemon:Subscriptions=false`.</param>
public sealed record PipelineResult(int Concurrency, CellResult On, CellResult Off)
{
    public double Ratio => On.OpsPerSecond / Off.OpsPerSecond;

    /// <summary>The share of send throughput the two readers take: 0.1 = 10% fewer sends with them on.</summary>
    public double Cost => 1 - Ratio;
}

/// <summary>
/// What the readers that push and deliver (the realtime publisher and the webhook outbox) cost the
/// write path: the same spread sends on two API processes started alike, one with them and one
/// without, each on a fresh database, one after the other so they never share the CPU.
/// </summary>
public sealed class PipelineCost(BenchSettings settings, LagJournal lags, CancellationToken interrupted)
{
    public const int Concurrency = 32;

    public async Task<PipelineResult?> RunAsync()
    {
        var on = await RunNodeAsync(subscriptions: true);
        if (on is null || interrupted.IsCancellationRequested) return null;
        var off = await RunNodeAsync(subscriptions: false);
        return off is null ? null : new PipelineResult(Concurrency, on, off);
    }

    private async Task<CellResult?> RunNodeAsync(bool subscriptions)
    {
        var name = subscriptions ? "pipeline on" : "pipeline off";
        Progress.Log($"{name}: starting an API process with Daemon:Subscriptions={(subscriptions ? "true" : "false")} and opening {Workload.SessionCount:N0} sessions");
        await using var node = await PlatformProcess.StartAsync(subscriptions ? "pipeline_on" : "pipeline_off", new Dictionary<string, string>
        {
            ["Daemon__Subscriptions"] = subscriptions ? "true" : "false",
            // As for the in-process node: one sender sends thousands a second.
            ["Messages__SenderMessagesPerSecond"] = "0",
        }, interrupted);
        await node.CreateTenantAsync(new { tenantId = "bench", name = "Bench", scenario = "enterprise" });
        await PlatformUnderTest.OpenSessionsAsync(node.App);
        var api = new PlatformClient(node.App, journal: lags);
        await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, $"before {name}");
        if (interrupted.IsCancellationRequested) return null;
        Progress.Log($"{name} x{Concurrency} running");
        var result = await new LoadCell(name, Concurrency, settings.Warmup, settings.Duration)
            .RunAsync(() => PlatformUnderTest.SendAsync(node.App, Workload.RandomSessionId()));
        Progress.Log($"{name} x{Concurrency} {result.OpsPerSecond,9:N0} ops/s  p50 {result.P50Ms:0.0} ms  p99 {result.P99Ms:0.0} ms" +
            (result.ErrorCount == 0 ? "" : $", {result.ErrorCount:N0} errors"));
        await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, $"after {name} x{Concurrency}");
        return result;
    }
}
