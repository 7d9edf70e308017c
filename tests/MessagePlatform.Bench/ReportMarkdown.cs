namespace MessagePlatform.Bench;

/// <summary>
/// docs/benchmarks.md: the machine, every target beside its figure and baseline, the readers' lag
/// after each cell, then each section's tables as the console prints them, with the charts.
/// </summary>
public static class ReportMarkdown
{
    public static void Write(BenchResults r, TextWriter output)
    {
        output.WriteLine("# Benchmarks");
        output.WriteLine();
        if (r.Quick)
            output.WriteLine("> **Quick run** (`--quick`): a smoke run of short cells and small fleets, not the figures to quote; a full run replaces this file.\n");
        if (r.Sections != nameof(Sections.All))
            output.WriteLine($"> **Partial run**: only {r.Sections}; the other sections' targets are not measured here.\n");
        output.WriteLine("Written by `dotnet run -c Release --project tests/MessagePlatform.Bench` (figures also in `benchmarks.json`; " +
            "`-- --report-only docs/benchmarks.json` draws this file and the charts again). Client, API and PostgreSQL share the machine, " +
            "so every figure includes the load generator's own CPU; runs vary by about ±30%.");
        output.WriteLine();
        var m = r.Machine;
        MarkdownTable.Write(output, ["machine", "value"],
        [
            ["date (UTC)", $"{m.Date.UtcDateTime:yyyy-MM-dd HH:mm}"], ["git commit", m.Commit], ["cores", $"{m.Cores}"],
            ["memory", $"{m.MemoryBytes / 1024.0 / 1024 / 1024:N1} GiB"], ["OS", m.Os], [".NET", m.Dotnet], ["PostgreSQL", m.Postgres],
            ["arguments", m.Arguments.Length == 0 ? "(none: the full run)" : $"`{m.Arguments}`"],
        ], leftColumns: 2);
        output.WriteLine();

        output.WriteLine("## Targets");
        output.WriteLine();
        var targets = r.Targets;
        output.WriteLine($"{targets.Count(t => t.Met == true)} met, {targets.Count(t => t.Met == false)} missed, {targets.Count(t => t.Met is null)} not measured.");
        output.WriteLine();
        MarkdownTable.Write(output, ["target", "figure", "baseline (same run)", "ratio", "verdict"],
            [.. targets.Select(t => new[] { t.Target, t.Figure, t.Baseline, t.Ratio, (t.Met switch { true => "✅ ", false => "❌ ", null => "" }) + t.Verdict })],
            leftColumns: 5);
        output.WriteLine();
        // Profiles take a person and tools the bench does not drive: they live beside the report, dated.
        output.WriteLine("What the profiles of the missed targets show, with the commands that took them: " +
            "[`profiling/sends.md`](profiling/sends.md) (sends, the pipeline's cost), [`profiling/realtime.md`](profiling/realtime.md) (rooms, idle connections).");
        output.WriteLine();

        if (r.Sends is { Count: > 0 } sends)
        {
            output.WriteLine("## Durable sends over HTTP, beside raw PostgreSQL");
            Section(output, w => ResultsTable.Print(sends, w));
            output.WriteLine("![sends per second against concurrency](benchmarks/sends-throughput.png)");
            output.WriteLine("![send latency percentiles against concurrency](benchmarks/sends-latency.png)");
            output.WriteLine();
        }
        if (r.Pipeline is { } p)
        {
            output.WriteLine("## What the push pipeline costs the write path");
            output.WriteLine();
            output.WriteLine($"Spread sends at concurrency {p.Concurrency} on two API processes started alike (Production, own database each), " +
                "one with the realtime publisher and the webhook outbox, one with `Daemon:Subscriptions=false`; cells alternate on, off, on, off.");
            output.WriteLine();
            Cost(output, p, "pipeline", "the two readers cost");
        }
        if (r.Tracing is { } t)
        {
            output.WriteLine("## What tracing costs the write path");
            output.WriteLine();
            output.WriteLine($"The same spread sends at concurrency {t.Cost.Concurrency} on two more processes: one tracing every request " +
                "(the default sampler; ASP.NET Core, Npgsql, Marten, MassTransit and the platform's spans) and exporting over OTLP/HTTP to a sink on loopback, " +
                $"one without an exporter; metrics are on in both. The traced node made {t.Exports:N0} exports, {t.ExportedBytes / 1048576.0:N1} MiB.");
            output.WriteLine();
            Cost(output, t.Cost, "tracing", "tracing costs");
        }
        if (r.Sync is { } sync)
        {
            output.WriteLine("## Send → visible in a member's sync");
            Section(output, w => SyncTable.Print(sync, w));
            output.WriteLine("![sync latency against rate](benchmarks/sync-latency.png)");
            output.WriteLine();
        }
        if (r.Realtime is { } realtime)
        {
            output.WriteLine("## Realtime: send → frame");
            if (realtime.ClosedLoop is { } loop) ClosedLoop(loop, output);
            Section(output, w => RealtimeTable.Print(realtime, w));
            output.WriteLine("![push latency against send rate](benchmarks/push-latency.png)");
            output.WriteLine();
        }
        if (r.Broadcast is { } broadcast)
        {
            output.WriteLine("## Broadcast to every online client");
            Section(output, w => BroadcastTable.Print(broadcast, w));
        }
        if (r.Reactions is { } reactions)
        {
            output.WriteLine("## A room's messages under a storm of reactions");
            Section(output, w => RoomReactionsSection.Print(reactions, w));
        }
        Lags(r.Lags, output);
    }

    private static void Cost(TextWriter output, PipelineResult p, string name, string costs)
    {
        MarkdownTable.Write(output, ["cell", "sends/s", "p50 ms", "p99 ms", "errors"],
            [.. p.On.Zip(p.Off).SelectMany((pair, i) => new[] { Row($"round {i + 1}: {name} on", pair.First), Row($"round {i + 1}: {name} off", pair.Second) })]);
        output.WriteLine();
        output.WriteLine($"mean on {p.OnRate:N0} / mean off {p.OffRate:N0} sends/s = {p.Ratio:0.00}: " +
            (p.Cost >= 0 ? $"{costs} {p.Cost * 100:0}% of send throughput." : $"on was {-p.Cost * 100:0}% faster than off, so no cost measurable over this run's noise."));
        output.WriteLine();
    }

    private static string[] Row(string name, CellResult c) =>
        [name, $"{c.OpsPerSecond:N0}", $"{c.P50Ms:N1}", $"{c.P99Ms:N1}", $"{c.ErrorCount:N0}"];

    private static void ClosedLoop(FrameResult loop, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"Closed loop: {RealtimeSection.ClosedLoopSenders} REST senders, each sending its next message as soon as the last is answered " +
            $"(the highest rate the node accepts; a 429 or 503 pauses that sender 20 ms), into the c2c sessions, {loop.Receivers:N0} WebSocket receivers.");
        output.WriteLine();
        var refused = string.Join(", ", loop.Errors.Select(e => $"{e.Key} ×{e.Value:N0}"));
        MarkdownTable.Write(output, ["sends/s accepted", "refused or failed", "frames", "p50 ms", "p99 ms", "max ms", "last frame after last send ms", "missing", "sync frames"],
        [[
            $"{loop.SentRate:N0}", refused.Length == 0 ? "0" : refused, $"{loop.Delivered:N0}", SyncTable.Ms(loop.P50Ms), SyncTable.Ms(loop.P99Ms),
            SyncTable.Ms(loop.MaxMs), SyncTable.Ms(loop.TailMs), $"{loop.Missing:N0}", $"{loop.SyncFrames:N0}",
        ]]);
    }

    private static void Lags(IReadOnlyList<DrainRecord> lags, TextWriter output)
    {
        output.WriteLine("## Readers' lag at the end of each cell");
        output.WriteLine();
        output.WriteLine("Every reader of the store (the daemon's projections and subscriptions, from `/health/ready`), in events behind the head, " +
            "when the cell ended; the next cell started only once all were at 0 (or the wait gave up: \"left\"). A subscription at 0 has handed " +
            "its events on: frames still on the bus or in the gateways are not in this figure (the realtime tables' grace waits for those).");
        output.WriteLine();
        MarkdownTable.Write(output, ["when", "by reader", "largest lag", "drained in s", "left"],
            [.. lags.Select(l => new[] { l.Moment, PlatformClient.Describe(l.AtEnd), $"{l.MaxAtEnd:N0}", $"{l.DrainSeconds:N1}", $"{l.Left:N0}" })],
            leftColumns: 2);
        output.WriteLine();
    }

    /// <summary>A section's console output as Markdown: its tables as they are, each other line kept a line of its own.</summary>
    private static void Section(TextWriter output, Action<TextWriter> print)
    {
        using var text = new StringWriter();
        print(text);
        foreach (var line in text.ToString().Split('\n').Select(l => l.TrimEnd('\r')))
            output.WriteLine(line.Length == 0 || line.StartsWith('|') ? line : line.Trim() + "  ");
        output.WriteLine();
    }
}
