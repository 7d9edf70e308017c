namespace MessagePlatform.Bench;

/// <summary>
/// The broadcast section's table: each fleet size's broadcasts beside a room message to the same
/// clients, over the whole fleet and then per kind of client (↳ rows), so WebSocket and MQTT compare.
/// </summary>
public static class BroadcastTable
{
    public static void Print(BroadcastReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"one broadcast to every online client ({report.Mix}), from just before POST /v1/broadcasts to each client's frame; " +
            $"{report.Pushes} per cell, pooled; last client = median of the {report.Pushes} (worst); ∞ = missed (not received within {BroadcastCell.Grace.TotalSeconds:0} s)");
        output.WriteLine("baseline, same run, same clients, interleaved: one room message of the same body (every client joined), timed the same way");
        output.WriteLine("↳ rows: the same pushes seen by one kind of client only (MQTT: TCP, QoS 1 with PUBACK as the ack; online-only at QoS 0)");
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
                foreach (var error in c.Broadcast.All.Errors.Concat(c.Room.All.Errors).Concat(c.OnlineOnly.All.Errors).Distinct())
                    output.WriteLine($"{step.Connected:N0} clients: a push failed: {error}");
        output.WriteLine($"most online clients one broadcast reached, every one of them: {Reached(report.Steps)}");
        output.WriteLine();
    }

    /// <summary>"2,000 WebSocket + 2,000 MQTT".</summary>
    public static string Kinds(IEnumerable<KeyValuePair<ClientKind, int>> counts) =>
        string.Join(" + ", counts.OrderBy(k => k.Key).Select(k => $"{k.Value:N0} {k.Key.Label()}"));

    private static IEnumerable<string[]> Rows(BroadcastStep step)
    {
        var held = step.ConnectFailure is null ? "" : "most held";
        var files = $"{step.OpenFiles:N0}";
        if (step.Cell is not { } c)
        {
            yield return [$"{step.Connected:N0} clients{Aside(held)}, not measured", "–", "–", "–", "–", "–", "–", "–", files];
            yield break;
        }
        var clients = $"{step.Connected:N0} clients{Aside(c.Clients.Count > 1 ? Kinds(c.Clients) : "", held)}";
        foreach (var (push, stats) in new[] { ($"broadcast ×{c.Broadcast.All.Pushes}", c.Broadcast), ($"online-only ×{c.OnlineOnly.All.Pushes}", c.OnlineOnly) })
        {
            yield return Row($"{clients}, {push}", stats.All, c.Room.All, files);
            if (c.Clients.Count < 2) continue;
            foreach (var (kind, byKind) in stats.ByKind)
                yield return Row($"↳ {c.Clients[kind]:N0} {kind.Label()} only", byKind, c.Room.ByKind[kind], files);
        }
    }

    // " (2,000 WebSocket + 2,000 MQTT; most held)", or nothing when there is nothing to add.
    private static string Aside(params string[] notes) =>
        notes.Where(n => n.Length > 0).ToList() is { Count: > 0 } some ? $" ({string.Join("; ", some)})" : "";

    private static string[] Row(string cell, DeliveryStats d, DeliveryStats room, string files) =>
        [cell, Ms(d.P50Ms), Ms(d.P99Ms), Last(d), $"{d.Missed:N0}", $"{d.Resent:N0}", Baseline(room), $"{room.Missed:N0}", files];

    private static string Reached(IReadOnlyList<BroadcastStep> steps) =>
        steps.LastOrDefault(s => s.Cell is { Broadcast.All.Missed: 0, OnlineOnly.All.Missed: 0 }) is { } most
            ? $"{most.Connected:N0}" + (most.Cell!.Clients.Count > 1 ? $" ({Kinds(most.Cell.Clients)})" : "") +
              (most.ConnectFailure is not null ? " (all this machine held)" : "")
            : "none measured";

    private static string Last(DeliveryStats d) => d.Pushes > 1 ? $"{Ms(d.LastMedianMs)} ({Ms(d.LastWorstMs)})" : Ms(d.LastMedianMs);

    private static string Baseline(DeliveryStats room) => $"{Ms(room.P50Ms)} / {Ms(room.P99Ms)} / {Last(room)}";

    private static string Ms(double ms) => SyncTable.Ms(ms);
}
