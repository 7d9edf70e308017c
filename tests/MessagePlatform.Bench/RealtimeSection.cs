namespace MessagePlatform.Bench;

/// <param name="ClosedLoop">The c2c receivers under <see cref="RealtimeSection.ClosedLoopSenders"/> senders sending as fast as the node accepts.</param>
public sealed record RealtimeReport(
    IReadOnlyList<FrameResult> Latencies, MemoryResult? Memory, ServerMemoryResult? ServerMemory, IReadOnlyList<RoomStep> Room,
    string? OpenFileLimit, FrameResult? ClosedLoop);

/// <summary>
/// The WebSocket side: send → frame latency for c2c and a 200-member group, the memory of idle
/// connections, then a room's delivery as it fills up. The clients run in this process, on loopback.
/// </summary>
public sealed class RealtimeSection(PlatformUnderTest platform, BenchSettings settings, CancellationToken interrupted)
{
    public const int C2cSessions = 100;
    public const int GroupSize = 200;
    // 500/s is the load the targets are about; 50/s shows the same pipeline unloaded, for contrast.
    public static readonly double[] Rates = [50, 500];
    public const int ClosedLoopSenders = 32;

    // A cell's sends fan out into the members' sync chains too; the next cell should not pay for that backlog,
    // nor share the CPU with frames the server still owes the last one.
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(30);

    public int IdleConnections => settings.Quick ? 200 : 2_000;

    public async Task<RealtimeReport> RunAsync()
    {
        Progress.Log("realtime: a live tenant whose send limits stay out of the way");
        // Rooms default to 40 msgs/s and tenants to 20,000: the bench measures pushes, not the throttle.
        var api = await platform.AddTenantAsync(new
        {
            tenantId = "bench-rt", name = "Bench realtime", scenario = "live",
            limits = new { roomMessagesPerSecond = 100_000, tenantMessagesPerSecond = 1_000_000 },
        });
        var latencies = new List<FrameResult>();
        FrameResult? closedLoop = null;
        // c2c first: it warms up both ends' WebSocket code, so the memory reading after it does not count first-use costs.
        if (!interrupted.IsCancellationRequested)
        {
            var (c2c, loop) = await RunC2cAsync(api);
            latencies.AddRange(c2c);
            closedLoop = loop;
        }
        MemoryResult? memory = null;
        if (!interrupted.IsCancellationRequested)
        {
            Progress.Log($"realtime: memory of {IdleConnections:N0} idle connections");
            memory = await IdleConnectionCost.MeasureAsync(api, IdleConnections, interrupted);
            Progress.Log($"realtime: {memory.Connections:N0} idle connections: GC heap {memory.HeapPerConnection / 1024:N1} KiB, " +
                $"working set {memory.WorkingSetPerConnection / 1024:N1} KiB each" + (memory.Failure is { } f ? $" ({f})" : ""));
        }
        ServerMemoryResult? serverMemory = null;
        if (!interrupted.IsCancellationRequested)
        {
            Progress.Log($"realtime: memory of {IdleConnections:N0} idle connections to an API node in its own process");
            serverMemory = await ServerProcessMemory.MeasureAsync(IdleConnections, interrupted);
            Progress.Log($"realtime: server process: {serverMemory.PerConnection / 1024:N1} KiB working set per connection" +
                (serverMemory.Failure is { } f ? $" ({f})" : ""));
        }
        if (!interrupted.IsCancellationRequested) latencies.AddRange(await RunGroupAsync(api));
        var room = interrupted.IsCancellationRequested ? [] : await new RoomCapacity(api, settings, interrupted).RunAsync();
        return new RealtimeReport(latencies, memory, serverMemory, room, RoomCapacity.OpenFileLimit(), closedLoop);
    }

    /// <summary>
    /// Sessions of two: a sender posting over REST and a receiver connected, one per session; at the
    /// fixed rates, then closed loop at the highest rate the node accepts.
    /// </summary>
    private async Task<(IReadOnlyList<FrameResult> Rates, FrameResult? ClosedLoop)> RunC2cAsync(PlatformClient api)
    {
        Progress.Log($"realtime: opening {C2cSessions} c2c sessions and connecting their receivers");
        var pairs = Enumerable.Range(1, C2cSessions).Select(i => (Receiver: $"c2c-r{i}", Sender: $"c2c-s{i}")).ToArray();
        var sessionIds = new string[pairs.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, pairs.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => sessionIds[i] = await api.OpenSessionAsync(null, "c2c", [pairs[i].Receiver, pairs[i].Sender]));
        await using var fleet = await ConnectAsync(api, [.. pairs.Select(p => p.Receiver)]);
        (string, string) PickSender()
        {
            var i = Random.Shared.Next(pairs.Length);
            return (sessionIds[i], pairs[i].Sender);
        }
        await WarmUpAsync(api, fleet, PickSender);
        var rates = await RunRatesAsync(api, fleet, "c2c", perMessage: 1, PickSender);
        return (rates, interrupted.IsCancellationRequested ? null : await RunClosedLoopAsync(api, fleet, PickSender));
    }

    /// <summary>
    /// As many sends as the node takes from <see cref="ClosedLoopSenders"/> senders, each waiting for its
    /// answer: whether pushes keep up with sends at the node's own capacity, and how long the last frames trail.
    /// </summary>
    private async Task<FrameResult> RunClosedLoopAsync(PlatformClient api, ClientFleet fleet, Func<(string, string)> pickSender)
    {
        // Long enough for a push backlog to build, if the pipeline trails the write path.
        var duration = settings.Quick ? settings.Duration : TimeSpan.FromSeconds(Math.Max(15, settings.Duration.TotalSeconds));
        var name = $"c2c closed loop x{ClosedLoopSenders}";
        await fleet.QuietAsync(QuietTimeout);
        Progress.Log($"realtime: {name} running for {duration.TotalSeconds:0} s ({fleet.Count:N0} receivers)");
        var result = await new FrameCell("c2c closed loop", 0, settings.Warmup, duration).RunAsync(
            failures => new ClosedLoopSender(api, pickSender, failures, ClosedLoopSenders).RunAsync(settings.Warmup, duration), fleet.Clients, 1);
        Progress.Log($"realtime: {name}: {result.Summary}; last frame {SyncTable.Ms(result.TailMs)} ms after the last send");
        await api.WaitForProjectionAsync(DrainTimeout, interrupted, $"after {name}");
        return result;
    }

    /// <summary>
    /// Unmeasured load at the high rate until the JIT has tiered up. Cold, the push pipeline falls
    /// seconds behind at 500/s for some 20 s (not with DOTNET_TieredCompilation=0), and the first
    /// cell would measure that start instead of the server it is about.
    /// </summary>
    private async Task WarmUpAsync(PlatformClient api, ClientFleet fleet, Func<(string, string)> pickSender)
    {
        var warmup = TimeSpan.FromSeconds(settings.Quick ? 2 : 20);
        // The sections before may have left the readers a backlog; the warm-up should not run beside it.
        await api.WaitForProjectionAsync(DrainTimeout, interrupted, "before the realtime warm-up");
        Progress.Log($"realtime: warming up: c2c at {Rates[^1]:N0}/s for {warmup.TotalSeconds:0} s, not measured");
        var cold = await new FrameCell("warm-up", Rates[^1], warmup, TimeSpan.FromSeconds(1)).RunAsync(api, pickSender, fleet.Clients, 1);
        Progress.Log($"realtime: warm-up's last second: {cold.Summary}");
    }

    /// <summary>One group, every member connected; one member sends, and its own connection gets the frame too.</summary>
    private async Task<IReadOnlyList<FrameResult>> RunGroupAsync(PlatformClient api)
    {
        Progress.Log($"realtime: opening a group of {GroupSize} and connecting every member");
        var members = Enumerable.Range(1, GroupSize).Select(i => $"g{GroupSize}-u{i}").ToArray();
        var group = await api.OpenSessionAsync($"g{GroupSize}", "group", members);
        await using var fleet = await ConnectAsync(api, members);
        // Issuing tokens and opening the group wrote events; the first group cell should not share the CPU with their readers.
        await api.WaitForProjectionAsync(DrainTimeout, interrupted, $"before the group of {GroupSize}");
        return await RunRatesAsync(api, fleet, $"group of {GroupSize}", GroupSize, () => (group, members[0]));
    }

    private async Task<IReadOnlyList<FrameResult>> RunRatesAsync(
        PlatformClient api, ClientFleet fleet, string shape, int perMessage, Func<(string, string)> pickSender)
    {
        var results = new List<FrameResult>();
        foreach (var rate in Rates)
            if (!interrupted.IsCancellationRequested) results.Add(await RunCellAsync(api, fleet, shape, rate, perMessage, pickSender));
        // Frames still on their way are pushes the server still owes; the next part should not share the CPU with them.
        if (await fleet.QuietAsync(QuietTimeout) is > 0 and var late)
            Progress.Log($"realtime: {shape}: {late:N0} frames came after the last cell's grace (late, not lost)");
        return results;
    }

    private async Task<ClientFleet> ConnectAsync(PlatformClient api, IReadOnlyList<string> users)
    {
        var fleet = new ClientFleet(api);
        var failure = await fleet.ConnectAsync(await fleet.IssueTokensAsync(users, interrupted), room: null, interrupted);
        if (failure is null) return fleet;
        var connected = fleet.Count;
        await fleet.DisposeAsync();
        throw new InvalidOperationException($"connecting {users.Count} clients failed after {connected}: {failure.Message}", failure);
    }

    private async Task<FrameResult> RunCellAsync(
        PlatformClient api, ClientFleet fleet, string shape, double rate, int perMessage, Func<(string, string)> pickSender)
    {
        var name = $"{shape} @{rate:N0}/s";
        await fleet.QuietAsync(QuietTimeout);
        Progress.Log($"realtime: {name} running ({fleet.Count:N0} receivers)");
        var result = await new FrameCell(shape, rate, settings.Warmup, settings.Duration).RunAsync(api, pickSender, fleet.Clients, perMessage);
        Progress.Log($"realtime: {name}: {result.Summary}");
        // The next cell starts only once every reader has caught up with this one's events.
        await api.WaitForProjectionAsync(DrainTimeout, interrupted, $"after {name}");
        return result;
    }
}
