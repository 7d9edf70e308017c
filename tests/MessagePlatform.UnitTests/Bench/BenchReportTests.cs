using MessagePlatform.Bench;

namespace MessagePlatform.UnitTests.Bench;

/// <summary>The benchmark's report, from figures made up here: the files it writes, its verdicts, and the redraw from its JSON.</summary>
public sealed class BenchReportTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mp-bench-report-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_run_writes_the_markdown_the_json_and_png_charts_and_the_json_alone_draws_the_same_report_again()
    {
        await BenchReport.WriteAsync(Sample(), _directory);

        var markdown = await File.ReadAllTextAsync(Path.Combine(_directory, BenchReport.Markdown));
        Assert.StartsWith("# Benchmarks", markdown);
        Assert.Contains("**Quick run**", markdown);
        Assert.Contains("## Targets", markdown);
        Assert.Contains("## Readers' lag at the end of each cell", markdown);
        Assert.Contains("after spread sends x32", markdown);
        Assert.Contains("## What tracing costs the write path", markdown);
        Assert.Contains("made 1,234 exports", markdown);
        Assert.Contains("tracing costs 10% of send throughput", markdown);
        Assert.True(File.Exists(Path.Combine(_directory, BenchReport.Json)));
        string[] charts = ["sends-throughput.png", "sends-latency.png", "push-latency.png"];
        foreach (var chart in charts) AssertPng(Path.Combine(_directory, BenchReport.Charts, chart));

        File.Delete(Path.Combine(_directory, BenchReport.Markdown));
        Directory.Delete(Path.Combine(_directory, BenchReport.Charts), recursive: true);
        await BenchReport.RedrawAsync(Path.Combine(_directory, BenchReport.Json));

        Assert.Equal(markdown, await File.ReadAllTextAsync(Path.Combine(_directory, BenchReport.Markdown)));
        foreach (var chart in charts) AssertPng(Path.Combine(_directory, BenchReport.Charts, chart));
    }

    [Fact]
    public void Each_target_is_judged_against_its_baseline_and_says_by_how_much()
    {
        var targets = TargetBook.Of(Sample()).ToDictionary(t => t.Target);

        var spread = targets["c32: spread sends ≥ 1.0× raw INSERT"];
        Assert.Equal((true, "1.20×", "met, 20% above"), (spread.Met, spread.Ratio, spread.Verdict));
        var hot = targets["c32: hot session ≥ 0.5× raw INSERT"];
        Assert.Equal((false, "missed by 20% (needs 1.3× as many)"), (hot.Met, hot.Verdict));
        var pipeline = targets["c32: realtime publisher + webhook outbox cost < 15% of sends"];
        Assert.Equal((false, "missed: cost 25%, 10 points over"), (pipeline.Met, pipeline.Verdict));
        var tail = targets["closed loop: every frame within 1 s of the last send"];
        Assert.Equal((false, "missed: some never arrived"), (tail.Met, tail.Verdict));
        var c2c = targets["c2c @500/s: send→frame p99 < 50 ms"];
        Assert.Equal((true, "met, 20.0 ms under"), (c2c.Met, c2c.Verdict));
        Assert.Null(targets["sync, c2c @100/s: send→visible p99 < 100 ms"].Met);
    }

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1_000, $"{path} is {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    private static BenchResults Sample()
    {
        static CellResult Cell(string name, int concurrency, double rate, double p50) =>
            new(name, concurrency, rate, p50, p50 * 3, new Dictionary<string, long>(), new Dictionary<string, string>());
        static FrameResult Frames(string name, double rate, double p99, double tail) => new(
            name, 100, rate, rate, 0, (int)rate * 5, (long)rate * 5, (long)rate * 5, rate, 0, p99 / 2, p99, p99 * 1.5, 0, 0, 0, null,
            new Dictionary<string, long>(), new Dictionary<string, string>(), tail);
        ResultRow Row(int c, double raw, double spread, double hot) =>
            new(c, Cell("raw INSERT", c, raw, 0.5), Cell("Marten append", c, raw / 3, 1), Cell("spread sends", c, spread, 1.5), Cell("hot sends", c, hot, 1.2));
        var machine = new MachineInfo(2, 8L << 30, "Linux", ".NET 10", "PostgreSQL 15", DateTimeOffset.UnixEpoch, "abc123", "--quick");
        var realtime = new RealtimeReport(
            [Frames("c2c", 50, 20, 5), Frames("c2c", 500, 30, 8), Frames("group of 200", 50, 60, 10)], null, null, [], null,
            Frames("c2c closed loop", 0, double.PositiveInfinity, double.PositiveInfinity) with { Rate = 0, SentRate = 900 });
        var lags = new DrainRecord("after spread sends x32", new Dictionary<string, long> { ["UserChain"] = 40, ["RealtimePublisher"] = 3 }, 0.4, 0);
        return new BenchResults(machine, Quick: true, nameof(Sections.All), [Row(1, 3_000, 400, 500), Row(32, 10_000, 12_000, 4_000)],
            new PipelineResult(32, [Cell("pipeline on", 32, 700, 2), Cell("pipeline on", 32, 800, 2)],
                [Cell("pipeline off", 32, 1_000, 1.5), Cell("pipeline off", 32, 1_000, 1.5)]), null, realtime, null, [lags],
            Tracing: new TracingResult(new PipelineResult(32, [Cell("tracing on", 32, 900, 2)], [Cell("tracing off", 32, 1_000, 1.5)]), 1_234, 5L << 20));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
