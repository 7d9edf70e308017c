using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <param name="Clients">How many clients of each kind the pushes went to.</param>
/// <param name="Broadcast">Acked broadcasts (retried after 2 s unacked; QoS 1 on MQTT), the ones sync also keeps.</param>
/// <param name="Room">The baseline: one room message of the same body to the same clients, all joined.</param>
/// <param name="OnlineOnly">Online-only broadcasts: sent once, no ack (QoS 0).</param>
public sealed record BroadcastCellResult(
    IReadOnlyDictionary<ClientKind, int> Clients, PushStats Broadcast, PushStats Room, PushStats OnlineOnly)
{
    public long Missed => Broadcast.All.Missed + Room.All.Missed + OnlineOnly.All.Missed;
}

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
        var broadcasts = new List<Push>();
        var roomMessages = new List<Push>();
        for (var i = 1; i <= pushes && !ct.IsCancellationRequested; i++)
        {
            broadcasts.Add(await DeliverAsync(clients, () => api.BroadcastAsync(onlineOnly: false)));
            roomMessages.Add(await DeliverAsync(clients, SendToRoomAsync));
            Progress.Log($"broadcast: {name}: push {i}/{pushes}: broadcast last client {LastClients(broadcasts[^1])}, " +
                $"room message {LastClients(roomMessages[^1])}");
        }
        var onlineOnly = await DeliverAsync(clients, () => api.BroadcastAsync(onlineOnly: true));
        var kinds = clients.GroupBy(c => c.Kind).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
        return new BroadcastCellResult(kinds, PushStats.Of(broadcasts), PushStats.Of(roomMessages), PushStats.Of([onlineOnly]));
    }

    private static string LastClients(Push push) => $"{SyncTable.Ms(push.All.LastMs)} ms" + (push.ByKind.Count < 2 ? "" :
        $" ({string.Join(", ", push.ByKind.OrderBy(k => k.Key).Select(k => $"{k.Key.Label()} {SyncTable.Ms(k.Value.LastMs)}"))})");

    private async Task<string> SendToRoomAsync() => (await api.SendAsync(room, roomHost)).MsgId;

    private async Task<Push> DeliverAsync(IReadOnlyList<IOnlineClient> clients, Func<Task<string>> post)
    {
        await fleet.QuietAsync(RealtimeSection.QuietTimeout);
        // A log per kind of client, so each kind's latencies, misses and resends stay apart.
        var kinds = clients.GroupBy(c => c.Kind).ToDictionary(g => g.Key, g => (Clients: g.Count(), Log: new FrameLog()));
        foreach (var client in clients) client.RecordInto(kinds[client.Kind].Log);
        var start = Stopwatch.GetTimestamp();
        string msgId;
        try
        {
            msgId = await post();
        }
        catch (Exception e)
        {
            var error = RoomCapacity.Describe(e);
            return new Push(kinds.ToDictionary(k => k.Key, k => new Delivery([], k.Value.Clients, 0, 0, error)));
        }
        // Polling only decides when to stop looking; each latency is the client's own arrival stamp.
        while (kinds.Values.Sum(k => k.Log.ReceiversOf(msgId)) < clients.Count && Stopwatch.GetElapsedTime(start) < Grace)
            await Task.Delay(5);
        if (ResendWindow - Stopwatch.GetElapsedTime(start) is { Ticks: > 0 } rest) await Task.Delay(rest);
        return new Push(kinds.ToDictionary(k => k.Key, k => Received(k.Value.Log, k.Value.Clients, msgId, start)));
    }

    private static Delivery Received(FrameLog log, int clients, string msgId, long start)
    {
        var latencies = log.Arrivals.Where(a => a.MsgId == msgId)
            .Select(a => (a.ArrivedAt - start) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        return new Delivery(latencies, clients - latencies.Length, log.Duplicates, log.SyncFrames, null);
    }
}
