using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <summary>One push to the whole fleet: each client's receipt, from just before the push's POST.</summary>
/// <param name="LatenciesMs">Of the clients that got it within <see cref="BroadcastCell.Grace"/>, sorted.</param>
/// <param name="Resent">Frames a client had already: its ack was not in within 2 s.</param>
public sealed record Delivery(double[] LatenciesMs, int Missed, long Resent, long SyncFrames, string? Error)
{
    public double LastMs => Missed > 0 || LatenciesMs.Length == 0 ? double.PositiveInfinity : LatenciesMs[^1];
}

/// <summary>Deliveries of one kind pooled: percentiles over every (push, client), and each push's last client.</summary>
public sealed record DeliveryStats(
    int Pushes, double P50Ms, double P99Ms, double LastMedianMs, double LastWorstMs, long Missed, long Resent, long SyncFrames,
    IReadOnlyList<string> Errors)
{
    public static DeliveryStats Of(IReadOnlyList<Delivery> deliveries)
    {
        // A client that never got it is infinitely late, as in the other realtime tables.
        var pooled = deliveries.SelectMany(d => d.LatenciesMs.Concat(Enumerable.Repeat(double.PositiveInfinity, d.Missed))).Order().ToList();
        var lasts = deliveries.Select(d => d.LastMs).Order().ToList();
        return new DeliveryStats(deliveries.Count, Percentile(pooled, 0.50), Percentile(pooled, 0.99),
            Percentile(lasts, 0.50), lasts.Count == 0 ? double.NaN : lasts[^1], deliveries.Sum(d => (long)d.Missed),
            deliveries.Sum(d => d.Resent), deliveries.Sum(d => d.SyncFrames), [.. deliveries.Select(d => d.Error).OfType<string>()]);
    }

    public string Summary => $"p50 {SyncTable.Ms(P50Ms)} ms  p99 {SyncTable.Ms(P99Ms)} ms  last client {SyncTable.Ms(LastMedianMs)} ms" +
        (Pushes > 1 ? $" (worst {SyncTable.Ms(LastWorstMs)})" : "") + $", {Missed:N0} missed" +
        (Resent > 0 ? $", {Resent:N0} resent" : "") + (SyncFrames > 0 ? $", {SyncFrames:N0} sync frames" : "") +
        (Errors.Count > 0 ? $", {Errors.Count} failed: {Errors[0]}" : "");

    private static double Percentile(List<double> sorted, double fraction) => sorted.Count == 0
        ? double.NaN
        : sorted[Math.Max(0, (int)Math.Ceiling(fraction * sorted.Count) - 1)];
}

/// <param name="Broadcast">Acked broadcasts (retried after 2 s unacked), the ones sync also keeps.</param>
/// <param name="Room">The baseline: one room message of the same body to the same clients, all joined.</param>
/// <param name="OnlineOnly">Online-only broadcasts: sent once, no ack (QoS 0).</param>
public sealed record BroadcastCellResult(int Clients, DeliveryStats Broadcast, DeliveryStats Room, DeliveryStats OnlineOnly);

/// <summary>
/// Broadcasts to every online client of a fleet, each followed by a room message to the same
/// clients as the baseline (interleaved, so both see the same machine), then one online-only
/// broadcast. Pushes are spaced so each one has the machine to itself, retransmits included.
/// </summary>
public sealed class BroadcastCell(PlatformClient api, ClientFleet fleet, string room, string roomHost, int pushes)
{
    /// <summary>Longer than three 2 s retransmits: a client without the push by then missed it.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    // A resend comes 2 s after an unacked send (on a 0.5 s timer); each push waits that out, so its
    // resends are counted and the next push does not share the CPU with them.
    private static readonly TimeSpan ResendWindow = TimeSpan.FromSeconds(3);

    public async Task<BroadcastCellResult> RunAsync(string name, CancellationToken ct)
    {
        var clients = fleet.Clients;
        // One unmeasured round: the first push to clients this many pays for code and pools used first.
        await DeliverAsync(clients, () => api.BroadcastAsync(onlineOnly: false));
        await DeliverAsync(clients, SendToRoomAsync);
        var broadcasts = new List<Delivery>();
        var roomMessages = new List<Delivery>();
        for (var i = 1; i <= pushes && !ct.IsCancellationRequested; i++)
        {
            broadcasts.Add(await DeliverAsync(clients, () => api.BroadcastAsync(onlineOnly: false)));
            roomMessages.Add(await DeliverAsync(clients, SendToRoomAsync));
            Progress.Log($"broadcast: {name}: push {i}/{pushes}: broadcast last client {SyncTable.Ms(broadcasts[^1].LastMs)} ms, " +
                $"room message {SyncTable.Ms(roomMessages[^1].LastMs)} ms");
        }
        var onlineOnly = await DeliverAsync(clients, () => api.BroadcastAsync(onlineOnly: true));
        return new BroadcastCellResult(clients.Count, DeliveryStats.Of(broadcasts), DeliveryStats.Of(roomMessages), DeliveryStats.Of([onlineOnly]));
    }

    private async Task<string> SendToRoomAsync() => (await api.SendAsync(room, roomHost)).MsgId;

    private async Task<Delivery> DeliverAsync(IReadOnlyList<IOnlineClient> clients, Func<Task<string>> post)
    {
        await fleet.QuietAsync(RealtimeSection.QuietTimeout);
        var log = new FrameLog();
        foreach (var client in clients) client.RecordInto(log);
        var start = Stopwatch.GetTimestamp();
        string msgId;
        try
        {
            msgId = await post();
        }
        catch (Exception e)
        {
            return new Delivery([], clients.Count, 0, 0, RoomCapacity.Describe(e));
        }
        // Polling only decides when to stop looking; each latency is the client's own arrival stamp.
        while (log.ReceiversOf(msgId) < clients.Count && Stopwatch.GetElapsedTime(start) < Grace) await Task.Delay(5);
        if (ResendWindow - Stopwatch.GetElapsedTime(start) is { Ticks: > 0 } rest) await Task.Delay(rest);
        var latencies = log.Arrivals.Where(a => a.MsgId == msgId)
            .Select(a => (a.ArrivedAt - start) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        return new Delivery(latencies, clients.Count - latencies.Length, log.Duplicates, log.SyncFrames, null);
    }
}
