using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <param name="Baseline">The room's message delivery with no reactions, just before.</param>
/// <param name="WithReactions">The same cell while <see cref="RoomReactionsSection.ReactionRate"/> reactions a second are put on its messages.</param>
/// <param name="ReactionFrames">Reaction frames all clients received over that cell (warm-up, window and grace).</param>
public sealed record RoomReactionsReport(
    int Clients, FrameResult Baseline, FrameResult WithReactions, long Reactions, long ReactionFailures, double ReactionSeconds,
    long ReactionFrames)
{
    public double ReactionsPerSecond => Reactions / ReactionSeconds;

    public double ReactionFramesPerSecond => ReactionFrames / ReactionSeconds;

    /// <summary>Without aggregation every reaction would be a frame to every client.</summary>
    public double UnaggregatedFramesPerSecond => ReactionsPerSecond * Clients;
}

/// <summary>
/// A hot room under a storm of reactions (issue 15): clients joined, 20 messages a second from one
/// REST sender, first alone (the baseline), then while 200 reactions a second are put on the room's
/// latest messages. Reactions in a room go out as one `counts` frame per message per window, so the
/// frames they cost are bounded by messages × windows, not reactions × clients, and the messages'
/// p99 should stay within the room target beside them.
/// </summary>
public sealed class RoomReactionsSection(PlatformUnderTest platform, BenchSettings settings, CancellationToken interrupted)
{
    public const double ReactionRate = 200;
    public const string Room = "rx";
    private const string Sender = "rx-host";
    private static readonly string[] Reactions = ["👍", "❤️", "😂", "🎉", "👏"];

    public int Clients => settings.Quick ? 200 : 2_000;

    public async Task<RoomReactionsReport> RunAsync()
    {
        var api = await platform.AddTenantAsync(new
        {
            tenantId = "bench-rx", name = "Bench reactions", scenario = "live",
            limits = new { roomMessagesPerSecond = 100_000, tenantMessagesPerSecond = 1_000_000 },
        });
        await api.OpenSessionAsync(Room, "room", []);
        await using var fleet = new ClientFleet(api);
        Progress.Log($"reactions: connecting {Clients:N0} clients to room {Room}");
        var tokens = await fleet.IssueTokensAsync([.. Enumerable.Range(1, Clients).Select(i => $"rx-{i}")], interrupted);
        if (await fleet.ConnectAsync(tokens, Room, interrupted) is { } failure)
            throw new InvalidOperationException($"connecting the room's clients failed after {fleet.Count}: {failure.Message}", failure);
        // The reactions go on these: a live room's viewers react to what was just said.
        var targets = new List<string>();
        for (var i = 0; i < Reactions.Length; i++) targets.Add((await api.SendAsync(Room, Sender)).MsgId);
        await fleet.QuietAsync(RealtimeSection.QuietTimeout);
        await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, "before the room's baseline");

        var name = $"room of {Clients:N0}";
        Progress.Log($"reactions: {name} @{RoomCapacity.Rate:N0}/s, no reactions (baseline)");
        var baseline = await new FrameCell($"{name}, no reactions", RoomCapacity.Rate, settings.Warmup, settings.Duration)
            .RunAsync(api, () => (Room, Sender), fleet.Clients, Clients);
        Progress.Log($"reactions: baseline: {baseline.Summary}");
        await fleet.QuietAsync(RealtimeSection.QuietTimeout);
        await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, "after the room's baseline");

        Progress.Log($"reactions: {name} @{RoomCapacity.Rate:N0}/s with {ReactionRate:N0} reactions/s");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        var started = Stopwatch.GetTimestamp();
        var storm = ReactAsync(api, targets, stop.Token);
        var loaded = await new FrameCell($"{name}, {ReactionRate:N0} reactions/s", RoomCapacity.Rate, settings.Warmup, settings.Duration)
            .RunAsync(api, () => (Room, Sender), fleet.Clients, Clients);
        await stop.CancelAsync();
        var (reactions, failures) = await storm;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var report = new RoomReactionsReport(Clients, baseline, loaded, reactions, failures, seconds, loaded.OtherFrames);
        Progress.Log($"reactions: with reactions: {loaded.Summary}; {report.ReactionsPerSecond:N0} reactions/s, {report.ReactionFramesPerSecond:N0} reaction frames/s");
        await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, "after the reaction storm");
        return report;
    }

    /// <summary>Open loop at <see cref="ReactionRate"/>: each reaction by a new viewer, so every one is stored (a repeat would change nothing).</summary>
    private static async Task<(long Done, long Failed)> ReactAsync(PlatformClient api, List<string> targets, CancellationToken stop)
    {
        long done = 0, failed = 0, n = 0;
        using var inFlight = new SemaphoreSlim(64);
        var start = Stopwatch.GetTimestamp();
        var pending = new List<Task>();
        while (!stop.IsCancellationRequested)
        {
            var due = start + (long)(n / ReactionRate * Stopwatch.Frequency);
            var wait = (due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            if (wait > 0)
            {
                try { await Task.Delay(TimeSpan.FromMilliseconds(wait), stop); } catch (OperationCanceledException) { break; }
            }
            var i = n++;
            if (!inFlight.Wait(0)) continue; // the server is behind: skip rather than queue without bound
            pending.Add(Task.Run(async () =>
            {
                try
                {
                    await api.ReactAsync(Room, targets[(int)(i % targets.Count)], Reactions[(int)(i / targets.Count % Reactions.Length)], $"fan-{i}");
                    Interlocked.Increment(ref done);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failed);
                }
                finally
                {
                    inFlight.Release();
                }
            }, CancellationToken.None));
        }
        await Task.WhenAll(pending);
        return (done, failed);
    }

    public static void Print(RoomReactionsReport r, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"one room of {r.Clients:N0} joined clients, {RoomCapacity.Rate:N0} msgs/s from one REST sender; then the same while " +
            $"{ReactionRate:N0} reactions/s (each by a new viewer) go on its latest {Reactions.Length} messages");
        output.WriteLine();
        MarkdownTable.Write(output,
            ["cell", "msgs/s sent", "frames expected", "received", "p50 ms", "p99 ms", "max ms", "missing", "sync frames"],
            [.. new[] { r.Baseline, r.WithReactions }.Select(c => new[]
            {
                c.Name, $"{c.SentRate:N0}", $"{c.Expected:N0}", $"{c.Delivered:N0}", SyncTable.Ms(c.P50Ms), SyncTable.Ms(c.P99Ms),
                SyncTable.Ms(c.MaxMs), $"{c.Missing:N0}", $"{c.SyncFrames:N0}",
            })]);
        output.WriteLine();
        output.WriteLine($"reactions: {r.Reactions:N0} stored ({r.ReactionsPerSecond:N0}/s), {r.ReactionFailures:N0} failed; reaction frames received by all clients: " +
            $"{r.ReactionFrames:N0} ({r.ReactionFramesPerSecond:N0}/s, {r.ReactionFramesPerSecond / r.Clients:N1} per client per second), " +
            $"against {r.UnaggregatedFramesPerSecond:N0}/s had each reaction been a frame to each client");
        var p99 = r.WithReactions.P99Ms;
        output.WriteLine($"target: room delivery p99 under {RealtimeTable.RoomTargetMs:0} ms beside the reactions: " +
            (p99 < RealtimeTable.RoomTargetMs ? "MET" : "MISSED") + $" (p99 {SyncTable.Ms(p99)} ms; baseline {SyncTable.Ms(r.Baseline.P99Ms)} ms)");
        output.WriteLine();
    }
}
