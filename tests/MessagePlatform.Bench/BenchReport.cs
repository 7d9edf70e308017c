namespace MessagePlatform.Bench;

/// <summary>
/// The report of a run, in one folder: benchmarks.md, benchmarks.json beside it, and the charts in
/// benchmarks/ (docs/ for a measured run; the JSON's own folder for `--report-only`).
/// </summary>
public static class BenchReport
{
    public const string Markdown = "benchmarks.md", Json = "benchmarks.json", Charts = "benchmarks";

    public static async Task WriteAsync(BenchResults results, string directory, bool withJson = true)
    {
        Directory.CreateDirectory(directory);
        if (withJson) await ReportJson.WriteAsync(results, Path.Combine(directory, Json));
        await using (var markdown = new StreamWriter(Path.Combine(directory, Markdown)))
            ReportMarkdown.Write(results, markdown);
        IReadOnlyList<string> charts = [];
        try
        {
            charts = ReportCharts.Write(results, Path.Combine(directory, Charts));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Last, and on its own: a machine that cannot draw (no native Skia, no fonts) keeps its tables and figures.
            Progress.Log($"report: charts not drawn: {e.GetType().Name}: {e.Message} (`--report-only {Path.Combine(directory, Json)}` draws them again)");
        }
        Progress.Log($"report: {Path.Combine(directory, Markdown)}" + (withJson ? $", {Json}" : "") +
            (charts.Count > 0 ? $", {string.Join(", ", charts.Select(c => $"{Charts}/{c}"))}" : ""));
    }

    /// <summary>Draws the Markdown and the charts again from a JSON a run wrote, beside that JSON.</summary>
    public static async Task RedrawAsync(string jsonPath)
    {
        var results = await ReportJson.ReadAsync(jsonPath);
        await WriteAsync(results, Path.GetDirectoryName(Path.GetFullPath(jsonPath))!, withJson: false);
    }
}
