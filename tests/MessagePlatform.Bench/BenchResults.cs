namespace MessagePlatform.Bench;

/// <summary>
/// Everything one run measured, as docs/benchmarks.json holds it: the report (Markdown, charts) is
/// drawn from this alone, so `--report-only` can draw it again from the JSON. A section not run is null.
/// </summary>
/// <param name="Sections">The sections this run ran, e.g. "Sends, Sync, Realtime, Broadcast".</param>
/// <param name="Lags">Every wait for the readers of the store, in order: their lag at the end of each cell and how long it took to drain.</param>
public sealed record BenchResults(
    MachineInfo Machine, bool Quick, string Sections, IReadOnlyList<ResultRow>? Sends, PipelineResult? Pipeline, SyncReport? Sync,
    RealtimeReport? Realtime, BroadcastReport? Broadcast, IReadOnlyList<DrainRecord> Lags, RoomReactionsReport? Reactions = null,
    TracingResult? Tracing = null)
{
    /// <summary>Every target of issue 12 (and the earlier ones), judged from the figures above; written to the JSON for reading, not read back.</summary>
    public IReadOnlyList<TargetRow> Targets => TargetBook.Of(this);
}
