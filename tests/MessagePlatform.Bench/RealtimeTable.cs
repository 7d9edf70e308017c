namespace MessagePlatform.Bench;

/// <summary>The realtime section's three tables (Markdown, like the others) and its target checks.</summary>
public static class RealtimeTable
{
    public const double FrameTargetMs = 50;
    public const double RoomTargetMs = 250;
    public const double IdleTargetKiB = 10;

    public static void Print(RealtimeReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"send → frame (REST 201 → message frame at each receiver's WebSocket; ∞ = not received within {SyncCell.Grace.TotalSeconds:0} s of the last send)");
        output.WriteLine();
        MarkdownTable.Write(output,
            ["cell", "receivers", "msgs/s asked/sent", "frames expected", "received", "frames/s", "p50 ms", "p99 ms", "max ms", "missing", "sync frames", "resent", "before 201"],
            [.. report.Latencies.Select(r => new[]
            {
                $"{r.Name} @{r.Rate:N0}/s", $"{r.Receivers:N0}", Rate(r), $"{r.Expected:N0}", $"{r.Delivered:N0}", $"{r.FramesPerSecond:N0}",
                Ms(r.P50Ms), Ms(r.P99Ms), Ms(r.MaxMs), $"{r.Missing:N0}", $"{r.SyncFrames:N0}", $"{r.Duplicates:N0}", $"{r.Early:N0}",
            })]);
        output.WriteLine();
        output.WriteLine($"one room, {RoomCapacity.Rate:N0} msgs/s from one REST sender, every client joined; dropped = expected − received; open files: limit {report.OpenFileLimit ?? "unknown"}");
        output.WriteLine();
        MarkdownTable.Write(output,
            ["clients", "joined", "msgs/s asked/sent", "frames expected", "received", "dropped", "sync frames", "frames/s", "p50 ms", "p99 ms", "max ms", "open files"],
            [.. report.Room.Select(RoomRow)]);
        output.WriteLine();
        foreach (var failed in report.Room.Where(s => s.ConnectFailure is not null))
            output.WriteLine($"room of {failed.Clients:N0}: connecting stopped at {failed.Connected:N0}: {failed.ConnectFailure}");
        output.WriteLine($"most clients one room held (all joined, delivery p99 < {RoomCapacity.HeldP99Ms / 1000:0} s): {Held(report.Room)}");
        output.WriteLine();
        if (report.Memory is { } m)
        {
            MarkdownTable.Write(output,
                ["idle connections", "GC heap MiB before → after", "GC heap per connection", "working set MiB before → after", "working set per connection"],
                [[$"{m.Connections:N0}", $"{Mib(m.HeapBefore)} → {Mib(m.HeapAfter)}", Kib(m.HeapPerConnection),
                  $"{Mib(m.WorkingSetBefore)} → {Mib(m.WorkingSetAfter)}", Kib(m.WorkingSetPerConnection)]]);
            output.WriteLine("client and server sockets live in this one process: each figure is client + server together, an upper bound for the server's share");
            output.WriteLine("(kernel socket buffers are in neither figure)" + (m.Failure is { } f ? $"; only {m.Connections:N0} of {m.Asked:N0} connected: {f}" : ""));
            output.WriteLine();
        }
        PrintProblems(report, output);
        PrintTargets(report, output);
    }

    private static string[] RoomRow(RoomStep s) => s.Delivery is { } d
        ? [$"{s.Clients:N0}", $"{s.Connected:N0}", Rate(d), $"{d.Expected:N0}", $"{d.Delivered:N0}", $"{d.Missing:N0}", $"{d.SyncFrames:N0}",
           $"{d.FramesPerSecond:N0}", Ms(d.P50Ms), Ms(d.P99Ms), Ms(d.MaxMs), $"{s.OpenFiles:N0}"]
        : [$"{s.Clients:N0}", $"{s.Connected:N0} (failed)", "–", "–", "–", "–", "–", "–", "–", "–", "–", $"{s.OpenFiles:N0}"];

    private static string Held(IReadOnlyList<RoomStep> steps) => steps.LastOrDefault(s => s.Held) is { } held
        ? $"{held.Clients:N0}" + (steps[^1] == held ? " (the largest step tried)" : "")
        : steps is [var first, ..] ? $"fewer than {first.Clients:N0}" : "not measured";

    private static string Rate(FrameResult r) => $"{r.Rate:N0}/{r.SentRate:N0}" + (r.ErrorCount > 0 || r.OtherFrames > 0 ? " !" : "");

    private static string Ms(double ms) => SyncTable.Ms(ms);

    private static string Mib(long bytes) => $"{bytes / 1024.0 / 1024:N1}";

    private static string Kib(double bytes) => $"{bytes / 1024:N1} KiB";

    private static void PrintProblems(RealtimeReport report, TextWriter output)
    {
        var cells = report.Latencies.Concat(report.Room.Select(s => s.Delivery).OfType<FrameResult>())
            .Where(c => c.ErrorCount > 0 || c.OtherFrames > 0).ToList();
        if (cells.Count == 0) return;
        output.WriteLine("errors and unexpected frames (rows marked !; counted over warm-up, measurement and grace):");
        foreach (var cell in cells)
        {
            foreach (var (kind, count) in cell.Errors)
                output.WriteLine($"  {cell.Name} @{cell.Rate:N0}/s: {kind} x{count:N0}, e.g. {cell.ErrorSamples[kind]}");
            if (cell.OtherFrames > 0)
                output.WriteLine($"  {cell.Name} @{cell.Rate:N0}/s: {cell.OtherFrames:N0} other frames, e.g. {cell.OtherSample}");
        }
        output.WriteLine();
    }

    private static void PrintTargets(RealtimeReport report, TextWriter output)
    {
        Check(output, $"send-to-frame p99 under {FrameTargetMs:0} ms (c2c and the {RealtimeSection.GroupSize}-member group)",
            [.. report.Latencies.Select(r => ($"{r.Name} @{r.Rate:N0}/s p99 {Ms(r.P99Ms)} ms", r.P99Ms, FrameTargetMs, "ms"))]);
        Check(output, $"room delivery p99 under {RoomTargetMs:0} ms",
            [.. report.Room.Take(1).Select(s => ($"room of {s.Clients:N0} p99 {Ms(s.Delivery?.P99Ms ?? double.NaN)} ms",
                s.Delivery?.P99Ms ?? double.NaN, RoomTargetMs, "ms"))]);
        Check(output, $"under {IdleTargetKiB:0} KiB per idle connection, server process only",
            report.ServerMemory is { Connections: > 0 } s
                ? [($"working set {Kib(s.PerConnection)} ({s.Connections:N0} connections, {s.WorkingSetBefore / 1048576.0:N1} → {s.WorkingSetAfter / 1048576.0:N1} MiB)",
                    s.PerConnection / 1024, IdleTargetKiB, "KiB")]
                : []);
        Check(output, $"under {IdleTargetKiB:0} KiB per idle connection (client + server, see above)",
            report.Memory is { } m
                ? [($"GC heap {Kib(m.HeapPerConnection)}", m.HeapPerConnection / 1024, IdleTargetKiB, "KiB"),
                   ($"working set {Kib(m.WorkingSetPerConnection)}", m.WorkingSetPerConnection / 1024, IdleTargetKiB, "KiB")]
                : []);
    }

    private static void Check(TextWriter output, string target, IReadOnlyList<(string What, double Value, double Goal, string Unit)> checks)
    {
        output.Write($"target: {target}: ");
        if (checks.Count == 0)
        {
            output.WriteLine("not checked (not measured in this run)");
            return;
        }
        output.WriteLine(checks.All(c => c.Value < c.Goal) ? "MET" : "MISSED");
        foreach (var (what, value, goal, unit) in checks)
        {
            var verdict = value < goal ? $"MET, {goal - value:N1} {unit} under"
                : double.IsPositiveInfinity(value) ? "MISSED, over 1% of frames not received"
                : double.IsNaN(value) ? "MISSED, nothing measured"
                : $"MISSED, {value - goal:N1} {unit} over ({value / goal:0.0}x the target)";
            output.WriteLine($"  {what}: {verdict}");
        }
    }
}
