namespace MessagePlatform.Bench;

public sealed record ResultRow(int Concurrency, CellResult Raw, CellResult Marten, CellResult Spread, CellResult Hot);

/// <summary>The one table a run ends with (Markdown, so it pastes into the README), and the target check.</summary>
public static class ResultsTable
{
    public const int TargetConcurrency = 32;

    public static void Print(IReadOnlyList<ResultRow> rows, TextWriter output)
    {
        string[] header =
        [
            "concurrency", "raw INSERT ops/s (p50/p99 ms)", "Marten append ops/s (p50/p99 ms)",
            "spread sends/s (p50/p99 ms)", "hot sends/s (p50/p99 ms)", "spread/raw", "hot/raw",
        ];
        var cells = rows.Select(r => new[]
        {
            r.Concurrency.ToString(), Rate(r.Raw), Rate(r.Marten), Rate(r.Spread), Rate(r.Hot),
            Ratio(r.Spread, r.Raw), Ratio(r.Hot, r.Raw),
        }).ToList();
        var widths = header.Select((h, i) => cells.Select(c => c[i].Length).Append(h.Length).Max()).ToArray();

        output.WriteLine();
        output.WriteLine(Line(header.Select((h, i) => h.PadRight(widths[i]))));
        output.WriteLine(Line(widths.Select(w => new string('-', w - 1) + ":")));
        foreach (var row in cells) output.WriteLine(Line(row.Select((c, i) => c.PadLeft(widths[i]))));
        output.WriteLine();
        PrintErrors(rows, output);
        PrintTarget(rows, output);
    }

    private static string Line(IEnumerable<string> cells) => $"| {string.Join(" | ", cells)} |";

    private static string Rate(CellResult cell) =>
        $"{cell.OpsPerSecond:N0} ({cell.P50Ms:0.0}/{cell.P99Ms:0.0})" + (cell.ErrorCount > 0 ? " !" : "");

    private static string Ratio(CellResult cell, CellResult raw) => $"{cell.OpsPerSecond / raw.OpsPerSecond:0.00}";

    private static void PrintErrors(IReadOnlyList<ResultRow> rows, TextWriter output)
    {
        var failed = rows.SelectMany(r => new[] { r.Raw, r.Marten, r.Spread, r.Hot }).Where(c => c.ErrorCount > 0).ToList();
        if (failed.Count == 0) return;
        output.WriteLine("errors (cells marked !; counted over warm-up and measurement):");
        foreach (var cell in failed)
            foreach (var (kind, count) in cell.Errors)
                output.WriteLine($"  {cell.Name} x{cell.Concurrency}: {kind} x{count:N0}, e.g. {cell.ErrorSamples[kind]}");
        output.WriteLine();
    }

    private static void PrintTarget(IReadOnlyList<ResultRow> rows, TextWriter output)
    {
        output.Write($"target: at concurrency {TargetConcurrency}, spread sends ≥ raw INSERT and hot ≥ half of raw INSERT: ");
        if (rows.FirstOrDefault(r => r.Concurrency == TargetConcurrency) is not { } row)
        {
            output.WriteLine($"not checked (this run has no concurrency-{TargetConcurrency} cell)");
            return;
        }
        var raw = row.Raw.OpsPerSecond;
        var spread = Check("spread", row.Spread.OpsPerSecond, "raw INSERT", raw);
        var hot = Check("hot", row.Hot.OpsPerSecond, "half of raw INSERT", raw / 2);
        output.WriteLine(spread.Met && hot.Met ? "MET" : "MISSED");
        output.WriteLine($"  {spread.Text}");
        output.WriteLine($"  {hot.Text}");
    }

    private static (bool Met, string Text) Check(string what, double actual, string against, double goal)
    {
        var verdict = actual >= goal
            ? $"MET, {(actual / goal - 1) * 100:0}% above"
            : $"MISSED, {(1 - actual / goal) * 100:0}% short";
        return (actual >= goal, $"{what} {actual:N0}/s vs {against} {goal:N0}/s: {verdict}");
    }
}
