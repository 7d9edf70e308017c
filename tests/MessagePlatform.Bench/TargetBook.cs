namespace MessagePlatform.Bench;

/// <summary>One target beside its figure and its same-run baseline.</summary>
/// <param name="Met">Null when this run did not measure it.</param>
/// <param name="Verdict">"met, 12% above", "missed by 38 ms (1.8× the target)", "not measured (…)".</param>
public sealed record TargetRow(string Target, string Figure, string Baseline, string Ratio, bool? Met, string Verdict);

/// <summary>The targets of issue 12 (and the earlier issues'), judged from one run's figures.</summary>
public static class TargetBook
{
    public const double C1P50Ms = 2;
    public const double PipelineCostLimit = 0.15;
    public const double ClosedLoopP99Ms = 250;
    public const double ClosedLoopTailMs = 1_000;

    public static IReadOnlyList<TargetRow> Of(BenchResults r)
    {
        var rows = new List<TargetRow>();
        var c32 = r.Sends?.FirstOrDefault(s => s.Concurrency == ResultsTable.TargetConcurrency);
        rows.Add(c32 is null ? Missing("c32: spread sends ≥ 1.0× raw INSERT", "no concurrency-32 cell")
            : AtLeast("c32: spread sends ≥ 1.0× raw INSERT", c32.Spread, c32.Raw, 1.0));
        rows.Add(c32 is null ? Missing("c32: hot session ≥ 0.5× raw INSERT", "no concurrency-32 cell")
            : AtLeast("c32: hot session ≥ 0.5× raw INSERT", c32.Hot, c32.Raw, 0.5));
        var c1 = r.Sends?.FirstOrDefault(s => s.Concurrency == 1);
        rows.Add(c1 is null ? Missing($"c1: send p50 ≤ {C1P50Ms:0} ms", "no concurrency-1 cell")
            : Under($"c1: send p50 ≤ {C1P50Ms:0} ms", c1.Spread.P50Ms, C1P50Ms, $"raw INSERT p50 {Ms(c1.Raw.P50Ms)} ms", inclusive: true));
        rows.Add(r.Pipeline is { } p ? Pipeline(p) : Missing($"realtime publisher + webhook outbox cost < {PipelineCostLimit * 100:0}% of sends", "sends section not run"));

        var realtime = r.Realtime;
        var c2c50 = realtime?.Latencies.FirstOrDefault(l => l.Name == "c2c" && l.Rate == 50);
        var unloaded = c2c50 is null ? "–" : $"c2c @50/s p99 {Ms(c2c50.P99Ms)} ms";
        if (realtime?.ClosedLoop is { } loop)
        {
            var refused = loop.Errors.Where(e => e.Key.Contains("429") || e.Key.Contains("503")).Sum(e => e.Value);
            var rate = $"{loop.SentRate:N0} sends/s accepted" + (refused > 0 ? $", {refused:N0} refused" : "");
            rows.Add(Under($"closed loop, {loop.Receivers:N0} WebSocket receivers: send→frame p99 < {ClosedLoopP99Ms:0} ms",
                loop.P99Ms, ClosedLoopP99Ms, unloaded, figure: $"p99 {Ms(loop.P99Ms)} ms at {rate}"));
            rows.Add(Under("closed loop: every frame within 1 s of the last send", loop.TailMs, ClosedLoopTailMs, "–",
                figure: $"last frame {Ms(loop.TailMs)} ms after the last send"));
        }
        else
        {
            rows.Add(Missing($"closed loop, 100 WebSocket receivers: send→frame p99 < {ClosedLoopP99Ms:0} ms", "realtime section not run"));
            rows.Add(Missing("closed loop: every frame within 1 s of the last send", "realtime section not run"));
        }
        rows.Add(Frame("c2c @500/s: send→frame p99 < 50 ms", realtime?.Latencies.FirstOrDefault(l => l.Name == "c2c" && l.Rate == 500), 50, unloaded));
        rows.Add(Frame($"{RealtimeSection.GroupSize}-member group @50/s: send→frame p99 < 50 ms",
            realtime?.Latencies.FirstOrDefault(l => l.Name.StartsWith("group", StringComparison.Ordinal) && l.Rate == 50), 50, unloaded));
        var room = realtime?.Room.FirstOrDefault();
        var roomTarget = $"room of {room?.Clients ?? 2_000:N0}: delivery p99 < {RealtimeTable.RoomTargetMs:0} ms" + (r.Quick ? " (2,000 in a full run)" : "");
        rows.Add(room is null ? Missing(roomTarget, "realtime section not run")
            : room.Delivery is not { } delivery ? new TargetRow(roomTarget, $"{room.Connected:N0} connected", "–", "–", false, $"missed: {room.ConnectFailure}")
            : Under(roomTarget, delivery.P99Ms, RealtimeTable.RoomTargetMs, "–"));

        // Earlier issues' targets, kept in view.
        foreach (var shape in new[] { "c2c", "group of 100" })
        {
            var cell = r.Sync?.Latencies.FirstOrDefault(l => l.Shape == shape || (shape != "c2c" && l.Members == 100));
            var target = $"sync, {shape} @{SyncSection.LatencyRate:0}/s: send→visible p99 < {SyncTable.TargetP99Ms:0} ms";
            rows.Add(cell is null ? Missing(target, "sync section not run") : Under(target, cell.P99Ms, SyncTable.TargetP99Ms, "–"));
        }
        rows.Add(realtime?.ServerMemory is { Connections: > 0 } memory
            ? Under($"idle connection < {RealtimeTable.IdleTargetKiB:0} KiB (server process)", memory.PerConnection / 1024, RealtimeTable.IdleTargetKiB, "–",
                figure: $"{memory.PerConnection / 1024:N1} KiB", unit: "KiB")
            : Missing($"idle connection < {RealtimeTable.IdleTargetKiB:0} KiB (server process)", "realtime section not run"));
        return rows;
    }

    private static TargetRow Missing(string target, string why) => new(target, "–", "–", "–", null, $"not measured ({why})");

    private static TargetRow AtLeast(string target, CellResult cell, CellResult raw, double goal)
    {
        var ratio = cell.OpsPerSecond / raw.OpsPerSecond;
        var verdict = ratio >= goal ? $"met, {(ratio / goal - 1) * 100:0}% above" : $"missed by {(1 - ratio / goal) * 100:0}% (needs {goal / ratio:0.0}× as many)";
        return new TargetRow(target, $"{cell.OpsPerSecond:N0} sends/s", $"raw INSERT {raw.OpsPerSecond:N0}/s", $"{ratio:0.00}×", ratio >= goal, verdict);
    }

    private static TargetRow Pipeline(PipelineResult p)
    {
        var met = p.Cost < PipelineCostLimit;
        var verdict = p.Cost < 0 ? $"met: no cost measurable (on {-p.Cost * 100:0}% faster than off: noise)"
            : met ? $"met: cost {p.Cost * 100:0}%, {(PipelineCostLimit - p.Cost) * 100:0} points under"
            : $"missed: cost {p.Cost * 100:0}%, {(p.Cost - PipelineCostLimit) * 100:0} points over";
        return new TargetRow($"c{p.Concurrency}: realtime publisher + webhook outbox cost < {PipelineCostLimit * 100:0}% of sends",
            $"on: {p.OnRate:N0} sends/s (mean of {p.On.Count})", $"off: {p.OffRate:N0} sends/s", $"{p.Ratio:0.00}×", met, verdict);
    }

    private static TargetRow Frame(string target, FrameResult? cell, double goalMs, string baseline) =>
        cell is null ? Missing(target, "realtime section not run") : Under(target, cell.P99Ms, goalMs, baseline);

    private static TargetRow Under(
        string target, double value, double goal, string baseline, string? figure = null, string unit = "ms", bool inclusive = false)
    {
        var met = inclusive ? value <= goal : value < goal;
        var verdict = met ? $"met, {goal - value:N1} {unit} under"
            : double.IsPositiveInfinity(value) ? "missed: some never arrived"
            : double.IsNaN(value) ? "missed: nothing measured"
            : $"missed by {value - goal:N1} {unit} ({value / goal:0.0}× the target)";
        return new TargetRow(target, figure ?? $"{Ms(value)} {unit}", baseline, double.IsFinite(value) ? $"{value / goal:0.00}× the target" : "–", met, verdict);
    }

    private static string Ms(double ms) => SyncTable.Ms(ms);
}
