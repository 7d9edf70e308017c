namespace MessagePlatform.Bench;

/// <param name="On">Spread sends on the node with the thing measured (the push pipeline, tracing), one cell per round.</param>
/// <param name="Off">The same sends on a node started without it, each round right after its "on" cell.</param>
public sealed record PipelineResult(int Concurrency, IReadOnlyList<CellResult> On, IReadOnlyList<CellResult> Off)
{
    public double OnRate => On.Average(c => c.OpsPerSecond);

    public double OffRate => Off.Average(c => c.OpsPerSecond);

    public double Ratio => OnRate / OffRate;

    /// <summary>The share of send throughput the thing measured takes: 0.1 = 10% fewer sends with it on.</summary>
    public double Cost => 1 - Ratio;
}

/// <summary>The tracing cell: its cost, and what the node exported meanwhile (so "on" is seen to have traced).</summary>
public sealed record TracingResult(PipelineResult Cost, long Exports, long ExportedBytes);

/// <summary>
/// What one setting costs the write path: the same node started twice, with the setting and without.
/// </summary>
/// <param name="Name">The cells' name: "pipeline", "tracing".</param>
public sealed record CostVariant(string Name, IReadOnlyDictionary<string, string> On, IReadOnlyDictionary<string, string> Off)
{
    /// <summary>The readers that push and deliver (the realtime publisher and the webhook outbox) against `Daemon:Subscriptions=false`.</summary>
    public static readonly CostVariant Pipeline = new("pipeline",
        new Dictionary<string, string> { ["Daemon__Subscriptions"] = "true" },
        new Dictionary<string, string> { ["Daemon__Subscriptions"] = "false" });

    /// <summary>Every request traced (the default sampler) and exported over OTLP/HTTP, against no exporter (metrics stay on in both).</summary>
    public static CostVariant Tracing(string otlpEndpoint) => new("tracing",
        new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint, ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" },
        // Empty reads as unset, also when the bench itself runs with an endpoint in its environment.
        new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "" });
}

/// <summary>
/// What a setting costs the write path (<see cref="CostVariant"/>): the same spread sends on two API
/// processes started alike but for it, each on a fresh database. Cells alternate on, off, on, off, so a
/// shift in the machine's load (it is shared) falls on both alike; the idle node meanwhile only polls.
/// </summary>
public sealed class PipelineCost(BenchSettings settings, LagJournal lags, CancellationToken interrupted, CostVariant? variant = null)
{
    public const int Concurrency = 32;

    private readonly CostVariant variant = variant ?? CostVariant.Pipeline;

    public int Rounds => settings.Quick ? 2 : 3;

    public async Task<PipelineResult?> RunAsync()
    {
        await using var on = await StartAsync(true);
        await using var off = await StartAsync(false);
        var (onCells, offCells) = (new List<CellResult>(), new List<CellResult>());
        for (var round = 1; round <= Rounds && !interrupted.IsCancellationRequested; round++)
        {
            onCells.Add(await MeasureAsync(on, $"{variant.Name} on", round));
            if (!interrupted.IsCancellationRequested) offCells.Add(await MeasureAsync(off, $"{variant.Name} off", round));
        }
        return offCells.Count == 0 ? null : new PipelineResult(Concurrency, onCells[..offCells.Count], offCells);
    }

    private async Task<PlatformProcess> StartAsync(bool with)
    {
        var chosen = with ? variant.On : variant.Off;
        var name = $"{variant.Name}_{(with ? "on" : "off")}";
        Progress.Log($"{variant.Name}: starting an API process ({(chosen.Count == 0 ? "defaults" : string.Join(", ", chosen.Select(c => $"{c.Key}={c.Value}")))}) " +
            $"and opening {Workload.SessionCount:N0} sessions");
        var node = await PlatformProcess.StartAsync(name, new Dictionary<string, string>(chosen)
        {
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
