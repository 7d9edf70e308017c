using ScottPlot;
using ScottPlot.TickGenerators;

namespace MessagePlatform.Bench;

/// <summary>
/// The report's charts as PNG (ScottPlot, drawn headless through SkiaSharp): sends and their
/// latency against concurrency beside raw PostgreSQL, push and sync latency against rate.
/// Concurrency and latency span decades, so both go on log axes (plotted as log10, labelled as values).
/// </summary>
public static class ReportCharts
{
    private const int Width = 1100, Height = 520;
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();
    private static int _series;

    /// <returns>The files written, relative to <paramref name="directory"/>.</returns>
    public static IReadOnlyList<string> Write(BenchResults r, string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        if (r.Sends is { Count: > 0 } sends)
        {
            written.Add(Save(SendsThroughput(sends, r.Pipeline), directory, "sends-throughput.png"));
            written.Add(Save(SendsLatency(sends), directory, "sends-latency.png"));
        }
        if (r.Realtime is { } realtime) written.Add(Save(PushLatency(realtime), directory, "push-latency.png"));
        if (r.Sync is { Sweeps.Count: > 0 } sync) written.Add(Save(SyncLatency(sync), directory, "sync-latency.png"));
        return written;
    }

    private static Plot SendsThroughput(IReadOnlyList<ResultRow> rows, PipelineResult? pipeline)
    {
        var plot = New("Durable sends per second against concurrency", "concurrency", "operations per second");
        double[] x = [.. rows.Select(r => Math.Log10(r.Concurrency))];
        Line(plot, x, [.. rows.Select(r => r.Raw.OpsPerSecond)], "raw INSERT (baseline)", LinePattern.Dashed);
        Line(plot, x, [.. rows.Select(r => r.Marten.OpsPerSecond)], "Marten append (baseline)", LinePattern.Dotted);
        Line(plot, x, [.. rows.Select(r => r.Spread.OpsPerSecond)], "spread sends");
        Line(plot, x, [.. rows.Select(r => r.Hot.OpsPerSecond)], "hot session sends");
        if (pipeline is not null)
        {
            var at = Math.Log10(pipeline.Concurrency);
            Point(plot, at, pipeline.OnRate, "pipeline on (own process, mean)", MarkerShape.FilledTriangleUp);
            Point(plot, at, pipeline.OffRate, "pipeline off (own process, mean)", MarkerShape.OpenTriangleUp);
        }
        LogTicks(plot.Axes.Bottom, rows.Select(r => (double)r.Concurrency));
        plot.Axes.SetLimitsY(0, rows.Max(r => Math.Max(r.Raw.OpsPerSecond, r.Spread.OpsPerSecond)) * 1.15);
        return plot;
    }

    private static Plot SendsLatency(IReadOnlyList<ResultRow> rows)
    {
        var plot = New("Send latency percentiles against concurrency", "concurrency", "milliseconds (log)");
        double[] x = [.. rows.Select(r => Math.Log10(r.Concurrency))];
        // p50 solid, p99 dashed; the baseline's colour is its own.
        foreach (var (name, pick) in new (string, Func<ResultRow, CellResult>)[]
                 { ("raw INSERT (baseline)", r => r.Raw), ("spread sends", r => r.Spread), ("hot sends", r => r.Hot) })
        {
            Line(plot, x, [.. rows.Select(r => Math.Log10(pick(r).P50Ms))], $"{name} p50");
            Line(plot, x, [.. rows.Select(r => Math.Log10(pick(r).P99Ms))], $"{name} p99", LinePattern.DenselyDashed, sameColour: true);
        }
        LogTicks(plot.Axes.Bottom, rows.Select(r => (double)r.Concurrency));
        LogDecades(plot.Axes.Left, rows.SelectMany(r => new[] { r.Raw.P50Ms, r.Spread.P99Ms, r.Hot.P99Ms, r.Raw.P99Ms }));
        return plot;
    }

    private static Plot PushLatency(RealtimeReport realtime)
    {
        var plot = New("Send → frame latency against send rate (WebSocket receivers)", "messages sent per second (log)", "milliseconds (log)");
        foreach (var shape in realtime.Latencies.GroupBy(l => l.Name))
        {
            var cells = shape.OrderBy(c => c.Rate).ToList();
            double[] x = [.. cells.Select(c => Math.Log10(c.SentRate))];
            Line(plot, x, [.. cells.Select(c => Math.Log10(c.P50Ms))], $"{shape.Key} p50");
            Line(plot, x, [.. cells.Select(c => Math.Log10(c.P99Ms))], $"{shape.Key} p99", LinePattern.DenselyDashed, sameColour: true);
        }
        var points = realtime.Latencies.ToList();
        if (realtime.ClosedLoop is { } loop)
        {
            Point(plot, Math.Log10(loop.SentRate), Math.Log10(loop.P50Ms), "c2c closed loop p50", MarkerShape.FilledDiamond);
            Point(plot, Math.Log10(loop.SentRate), Math.Log10(loop.P99Ms), "c2c closed loop p99", MarkerShape.OpenDiamond);
            points.Add(loop);
        }
        foreach (var step in realtime.Room.Where(s => s.Delivery is not null).Take(1))
        {
            Point(plot, Math.Log10(step.Delivery!.SentRate), Math.Log10(step.Delivery.P99Ms), $"room of {step.Clients:N0} p99", MarkerShape.FilledSquare);
            points.Add(step.Delivery);
        }
        var target = plot.Add.HorizontalLine(Math.Log10(RealtimeTable.FrameTargetMs), pattern: LinePattern.Dotted);
        target.LegendText = $"target {RealtimeTable.FrameTargetMs:0} ms";
        LogTicks(plot.Axes.Bottom, points.Select(p => p.SentRate).Where(double.IsFinite).Where(v => v > 0));
        LogDecades(plot.Axes.Left, points.SelectMany(p => new[] { p.P50Ms, p.P99Ms }).Append(RealtimeTable.FrameTargetMs));
        return plot;
    }

    private static Plot SyncLatency(SyncReport sync)
    {
        var plot = New("Send → visible in sync: p99 against rate", "messages sent per second (log)", "p99 milliseconds (log)");
        foreach (var sweep in sync.Sweeps)
        {
            var steps = sweep.Steps.Where(s => double.IsFinite(s.P99Ms) && s.AchievedRate > 0).ToList();
            Line(plot, [.. steps.Select(s => Math.Log10(s.AchievedRate))], [.. steps.Select(s => Math.Log10(s.P99Ms))], sweep.Workload);
        }
        var limit = plot.Add.HorizontalLine(Math.Log10(SyncSection.SustainedP99Ms), pattern: LinePattern.Dotted);
        limit.LegendText = "1 s (the sweep's limit)";
        var all = sync.Sweeps.SelectMany(s => s.Steps).ToList();
        LogTicks(plot.Axes.Bottom, all.Select(s => s.AchievedRate).Where(v => v > 0));
        LogDecades(plot.Axes.Left, all.Select(s => s.P99Ms).Append(SyncSection.SustainedP99Ms));
        return plot;
    }

    private static Plot New(string title, string x, string y)
    {
        var plot = new Plot();
        _series = 0;
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        // Outside the data area: inside, it hid points.
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    // Cells whose figure is ∞ (never received) or NaN (nothing measured) have no point to draw.
    // A series' p99 (dashed) takes the colour of its p50: the next colour only for a new series.
    private static void Line(Plot plot, double[] x, double[] y, string label, LinePattern pattern = default, bool sameColour = false)
    {
        var colour = Palette.GetColor(sameColour ? Math.Max(0, _series - 1) : _series++);
        var keep = Enumerable.Range(0, x.Length).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        if (keep.Length == 0) return;
        if (keep.Length == 1)
        {
            // A scatter of one point draws nothing visible here; a marker does.
            var single = plot.Add.Marker(x[keep[0]], y[keep[0]], sameColour ? MarkerShape.OpenCircle : MarkerShape.FilledCircle, size: 10);
            single.Color = colour;
            single.LegendText = label;
            return;
        }
        var line = plot.Add.Scatter(keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray(), colour);
        line.LegendText = label;
        line.LinePattern = pattern;
        line.MarkerSize = 7;
    }

    private static void Point(Plot plot, double x, double y, string label, MarkerShape shape)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y)) return;
        var marker = plot.Add.Marker(x, y, shape, size: 12);
        marker.LegendText = label;
    }

    /// <summary>Ticks at the values themselves (concurrency levels, rates), on an axis plotted as log10.</summary>
    private static void LogTicks(IAxis axis, IEnumerable<double> values)
    {
        var ticks = values.Where(v => v > 0 && double.IsFinite(v)).Distinct().Order().ToArray();
        if (ticks.Length == 0) return;
        axis.TickGenerator = new NumericManual([.. ticks.Select(Math.Log10)], [.. ticks.Select(v => $"{v:N0}")]);
    }

    /// <summary>Ticks at 1, 2, 5 × each power of ten that the values span, on an axis plotted as log10.</summary>
    private static void LogDecades(IAxis axis, IEnumerable<double> values)
    {
        var finite = values.Where(v => v > 0 && double.IsFinite(v)).ToList();
        if (finite.Count == 0) return;
        var (low, high) = ((int)Math.Floor(Math.Log10(finite.Min())), (int)Math.Ceiling(Math.Log10(finite.Max())));
        var ticks = Enumerable.Range(low, high - low + 1).SelectMany(e => new[] { 1, 2, 5 }.Select(m => m * Math.Pow(10, e))).ToArray();
        axis.TickGenerator = new NumericManual([.. ticks.Select(Math.Log10)], [.. ticks.Select(v => v >= 1 ? $"{v:N0}" : $"{v:0.###}")]);
    }

    private static string Save(Plot plot, string directory, string file)
    {
        plot.SavePng(Path.Combine(directory, file), Width, Height);
        return file;
    }
}
