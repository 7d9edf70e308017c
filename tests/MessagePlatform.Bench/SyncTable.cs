namespace MessagePlatform.Bench;

/// <summary>The sync section's two tables (Markdown, like the sends table) and its target check.</summary>
public static class SyncTable
{
    public const double TargetP99Ms = 100;

    public static string Ms(double ms) => double.IsPositiveInfinity(ms) ? "∞" : double.IsNaN(ms) ? "–" : $"{ms:N1}";

    public static void Print(SyncReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"send → visible in sync (observer's sync; ∞ = not seen within {SyncCell.Grace.TotalSeconds:0} s of the last send)");
        output.WriteLine();
        MarkdownTable.Write(output,
            ["shape", "sessions", "msgs/s asked/sent", "measured", "p50 ms", "p99 ms", "max ms", "not seen", "seen before 201", "observer syncs/s"],
            [.. report.Latencies.Select(r => new[]
            {
                r.Shape, $"{r.Sessions:N0}", Rate(r), $"{r.Measured:N0}", Ms(r.P50Ms), Ms(r.P99Ms), Ms(r.MaxMs),
                $"{r.NotSeen:N0}", $"{r.Early:N0}", $"{r.PollsPerSecond:N0}",
            })]);
        output.WriteLine();
        MarkdownTable.Write(output,
            ["workload", $"sustained msgs/s (p99 < {SyncSection.SustainedP99Ms / 1000:0} s)", "p99 ms by step (msgs/s: p99)"],
            [.. report.Sweeps.Select(s => new[] { s.Workload, Sustained(s), string.Join(", ", s.Steps.Select(Step)) })]);
        output.WriteLine();
        PrintErrors([.. report.Latencies, .. report.Sweeps.SelectMany(s => s.Steps)], output);
        PrintTarget(report.Latencies, output);
    }

    private static string Rate(SyncResult r) => $"{r.Rate:N0}/{r.AchievedRate:N0}" + (r.ErrorCount > 0 ? " !" : "");

    private static string Sustained(RateSweep sweep) => sweep.Sustained is { } rate ? $"{rate:N0}"
        : sweep.Steps is [var first, ..] ? $"< {first.Rate:N0}" : "–";

    private static string Step(SyncResult r)
    {
        var verdict = RateSweep.Passed(r) ? "" : r.RateReached ? " ✗" : $" (sent only {r.AchievedRate:N0}/s, {r.Skipped:N0} skipped)";
        return $"{r.Rate:N0}: {Ms(r.P99Ms)}{verdict}" + (r.NotSeen > 0 ? $" [{r.NotSeen:N0} not seen]" : "");
    }

    private static void PrintErrors(IReadOnlyList<SyncResult> cells, TextWriter output)
    {
        var failed = cells.Where(c => c.ErrorCount > 0).ToList();
        if (failed.Count == 0) return;
        output.WriteLine("errors (rows marked !; counted over warm-up and measurement):");
        foreach (var cell in failed)
            foreach (var (kind, count) in cell.Errors)
                output.WriteLine($"  {cell.Shape} @{cell.Rate:N0}/s: {kind} x{count:N0}, e.g. {cell.ErrorSamples[kind]}");
        output.WriteLine();
    }

    private static void PrintTarget(IReadOnlyList<SyncResult> latencies, TextWriter output)
    {
        output.Write($"target: p99 under {TargetP99Ms:0} ms for c2c and 100-member groups: ");
        var checkedShapes = latencies.Where(r => r.Shape == "c2c" || r.Members == 100).ToList();
        if (checkedShapes.Count < 2)
        {
            output.WriteLine("not checked (this run has no c2c or no 100-member cell)");
            return;
        }
        output.WriteLine(checkedShapes.All(r => r.P99Ms < TargetP99Ms) ? "MET" : "MISSED");
        foreach (var r in checkedShapes)
        {
            var verdict = r.P99Ms < TargetP99Ms
                ? $"MET, {TargetP99Ms - r.P99Ms:N1} ms under"
                : double.IsPositiveInfinity(r.P99Ms)
                    ? $"MISSED, over 1% of messages not seen"
                    : $"MISSED, {r.P99Ms - TargetP99Ms:N1} ms over ({r.P99Ms / TargetP99Ms:0.0}x the target)";
            output.WriteLine($"  {r.Shape} p99 {Ms(r.P99Ms)} ms: {verdict}");
        }
    }
}
