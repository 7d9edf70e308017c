namespace MessagePlatform.Bench;

/// <param name="Clients">The fleet size this step asked for.</param>
/// <param name="ConnectFailure">Why connecting stopped short; the step was then measured with what the machine held.</param>
/// <param name="Cell">Null when nothing could be measured.</param>
/// <param name="OpenFiles">File descriptors this process held while measuring (client and server sockets both).</param>
public sealed record BroadcastStep(int Clients, int Connected, string? ConnectFailure, BroadcastCellResult? Cell, int? OpenFiles);

public sealed record BroadcastReport(ClientMix Mix, int Pushes, IReadOnlyList<BroadcastStep> Steps, string? OpenFileLimit);

/// <summary>
/// One broadcast to every online connection of a tenant, WebSocket and MQTT clients mixed as
/// `--mqtt-share` says (half each by default), as the fleet grows: fixed sizes first, then
/// doubling until connecting fails (the machine's limit, found as <see cref="RoomCapacity"/> finds a
/// room's) or a push is missed. A step that runs out of connections is measured with what it held.
/// </summary>
public sealed class BroadcastSection(PlatformUnderTest platform, BenchSettings settings, CancellationToken interrupted)
{
    public const string Room = "bc-room";
    private const string RoomHost = "bc-host";
    // Past the loopback ephemeral port range, so doubling always ends on a failure or a miss.
    private const int MaxClients = 65_536;
    // Descriptors given back after connecting ran out of them: the API's HTTP and PostgreSQL connections need some to measure.
    public const int Headroom = 256;

    public int Pushes => settings.Quick ? 3 : 5;

    public IEnumerable<int> Sizes()
    {
        if (settings.Quick)
        {
            foreach (var size in new[] { 200, 400, 800 }) yield return size;
            yield break;
        }
        // Running out of descriptors mid-connect once aborted the whole process ("Out of memory."):
        // the last step is the most the open-file limit leaves room for, never past it.
        var most = Math.Min(MaxClients, FleetTheLimitHolds());
        for (var step = 1_000; step < most; step *= 2) yield return step;
        yield return most;
    }

    /// <summary>Clients the soft open-file limit holds: each costs a client and a server socket here, plus a share of the rest.</summary>
    private static int FleetTheLimitHolds() =>
        RoomCapacity.SoftOpenFileLimit() is { } limit ? Math.Max(1_000, (int)((limit - 2_000) / 2.2)) : MaxClients;

    public async Task<BroadcastReport> RunAsync()
    {
        Progress.Log("broadcast: a tenant of its own, so a broadcast reaches exactly this fleet");
        var api = await platform.AddTenantAsync(new
        {
            tenantId = "bench-bc", name = "Bench broadcast", scenario = "live",
            limits = new { roomMessagesPerSecond = 100_000, tenantMessagesPerSecond = 1_000_000 },
        });
        await api.OpenSessionAsync(Room, "room", []);
        var mix = new ClientMix(settings.MqttShare);
        await using var fleet = new ClientFleet(api);
        var steps = new List<BroadcastStep>();
        foreach (var size in Sizes())
        {
            if (interrupted.IsCancellationRequested) break;
            Progress.Log($"broadcast: {size:N0} clients ({mix}): connecting and joining clients {fleet.Count + 1:N0} to {size:N0}");
            var failure = await ConnectAsync(fleet, size, mix);
            if (failure is not null)
            {
                Progress.Log($"broadcast: {size:N0} clients: connecting stopped at {fleet.Count:N0}: {failure}");
                await fleet.CloseLastAsync(Headroom);
                var held = (steps.LastOrDefault()?.Connected ?? 0) < fleet.Count;
                steps.Add(new BroadcastStep(size, fleet.Count, failure, held ? await MeasureAsync(api, fleet) : null, RoomCapacity.OpenFiles()));
                break;
            }
            var cell = await MeasureAsync(api, fleet);
            steps.Add(new BroadcastStep(size, fleet.Count, null, cell, RoomCapacity.OpenFiles()));
            if (cell is null || cell.Missed > 0) break;
        }
        Progress.Log($"broadcast: closing {fleet.Count:N0} clients");
        return new BroadcastReport(mix, Pushes, steps, RoomCapacity.OpenFileLimit());
    }

    private async Task<string?> ConnectAsync(ClientFleet fleet, int size, ClientMix mix)
    {
        try
        {
            var users = Enumerable.Range(fleet.Count + 1, size - fleet.Count).Select(i => $"bc-{i}").ToList();
            var tokens = await fleet.IssueTokensAsync(users, interrupted);
            return await fleet.ConnectAsync(tokens, Room, interrupted, mix) is { } e ? RoomCapacity.Describe(e) : null;
        }
        catch (Exception e)
        {
            return RoomCapacity.Describe(e);
        }
    }

    private async Task<BroadcastCellResult?> MeasureAsync(PlatformClient api, ClientFleet fleet)
    {
        if (interrupted.IsCancellationRequested) return null;
        // Connecting and joining wrote events too; the step should not share the CPU with their readers.
        await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, $"before broadcasting to {fleet.Count:N0} clients");
        var name = $"{fleet.Count:N0} clients ({BroadcastTable.Kinds(fleet.Clients.CountBy(c => c.Kind))})";
        Progress.Log($"broadcast: {name}: {Pushes} broadcasts, each followed by a room message (the baseline), then one online-only");
        var cell = await new BroadcastCell(api, fleet, Room, RoomHost, Pushes).RunAsync(name, interrupted);
        Log(name, "broadcast", cell.Broadcast);
        Log(name, "room message", cell.Room);
        Log(name, "online-only", cell.OnlineOnly);
        // Each step's pushes feed the readers too; the next step should not pay for that backlog.
        await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, $"after broadcasting to {fleet.Count:N0} clients");
        return cell;
    }

    private static void Log(string name, string push, PushStats stats)
    {
        Progress.Log($"broadcast: {name}: {push} {stats.All.Summary}");
        if (stats.ByKind.Count < 2) return;
        foreach (var (kind, byKind) in stats.ByKind) Progress.Log($"broadcast: {name}:   {kind.Label()} only: {byKind.Summary}");
    }
}
