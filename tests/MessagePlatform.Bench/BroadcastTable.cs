namespace MessagePlatform.Bench;

/// <summary>The broadcast section's table: each fleet size's broadcasts beside a room message to the same clients.</summary>
public static class BroadcastTable
{
    public static void Print(BroadcastReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"one broadcast to every online client ({report.Mix}), from just before POST /v1/broadcasts to each client's frame; " +
            $"{report.Pushes} per cell, pooled; last client = median of the {report.Pushes} (worst); ∞ = missed (not received within {BroadcastCell.Grace.TotalSeconds:0} s)");
        output.WriteLine("baseline, same run, same clients, interleaved: one room message of the same body (every client joined), timed the same way");
        output.WriteLine($"open files: limit {report.OpenFileLimit ?? "unknown"}");
        output.WriteLine();
        MarkdownTable.Write(output,
            ["cell", "p50 ms", "p99 ms", "last client ms", "missed", "resent", "baseline room msg p50 / p99 / last ms", "baseline missed", "open files"],
            [.. report.Steps.SelectMany(Rows)]);
        output.WriteLine();
        foreach (var failed in report.Steps.Where(s => s.ConnectFailure is not null))
            output.WriteLine($"{failed.Clients:N0} clients: connecting stopped at the machine's limit; measured with {failed.Connected:N0} " +
                $"(the last {BroadcastSection.Headroom} closed to leave descriptors for the API): {failed.ConnectFailure}");
        foreach (var step in report.Steps)
            if (step.Cell is { } c)
                foreach (var error in c.Broadcast.Errors.Concat(c.Room.Errors).Concat(c.OnlineOnly.Errors).Distinct())
                    output.WriteLine($"{step.Connected:N0} clients: a push failed: {error}");
        output.WriteLine($"most online clients one broadcast reached, every one of them: {Reached(report.Steps)}");
        output.WriteLine();
    }

    private static IEnumerable<string[]> Rows(BroadcastStep step)
    {
        var clients = $"{step.Connected:N0} clients" + (step.ConnectFailure is null ? "" : " (most held)");
        if (step.Cell is not { } c)
        {
            yield return [clients + ", not measured", "–", "–", "–", "–", "–", "–", "–", $"{step.OpenFiles:N0}"];
            yield break;
        }
        yield return [$"{clients}, broadcast ×{c.Broadcast.Pushes}", Ms(c.Broadcast.P50Ms), Ms(c.Broadcast.P99Ms), Last(c.Broadcast),
            $"{c.Broadcast.Missed:N0}", $"{c.Broadcast.Resent:N0}", Baseline(c.Room), $"{c.Room.Missed:N0}", $"{step.OpenFiles:N0}"];
        yield return [$"{clients}, online-only ×{c.OnlineOnly.Pushes}", Ms(c.OnlineOnly.P50Ms), Ms(c.OnlineOnly.P99Ms), Last(c.OnlineOnly),
            $"{c.OnlineOnly.Missed:N0}", $"{c.OnlineOnly.Resent:N0}", Baseline(c.Room), $"{c.Room.Missed:N0}", $"{step.OpenFiles:N0}"];
    }

    private static string Reached(IReadOnlyList<BroadcastStep> steps) =>
        steps.LastOrDefault(s => s.Cell is { Broadcast.Missed: 0, OnlineOnly.Missed: 0 }) is { } most
            ? $"{most.Connected:N0}" + (most.ConnectFailure is not null ? " (all this machine held)" : "")
            : "none measured";

    private static string Last(DeliveryStats d) => d.Pushes > 1 ? $"{Ms(d.LastMedianMs)} ({Ms(d.LastWorstMs)})" : Ms(d.LastMedianMs);

    private static string Baseline(DeliveryStats room) => $"{Ms(room.P50Ms)} / {Ms(room.P99Ms)} / {Last(room)}";

    private static string Ms(double ms) => SyncTable.Ms(ms);
}
