using System.Collections.Concurrent;
using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <summary>
/// One measurement of send → visible: sends into <see cref="Shape"/> at <see cref="Rate"/> while its
/// observer polls sync; each message's latency runs from its send's 201 to the first sync page that
/// holds it. Messages still unseen <see cref="Grace"/> after the last send count as infinitely late.
/// </summary>
public sealed record SyncCell(SyncShape Shape, double Rate, TimeSpan Warmup, TimeSpan Duration)
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public async Task<SyncResult> RunAsync(PlatformClient api, SyncObserver observer, CancellationToken ct)
    {
        await observer.CatchUpAsync(ct);
        var seen = new ConcurrentDictionary<string, long>();
        var failures = new Failures();
        using var stop = new CancellationTokenSource();
        var watchStarted = Stopwatch.GetTimestamp();
        var watching = observer.WatchAsync(seen, failures, stop.Token);
        var sent = await new OpenLoopSender(api, Shape.PickSender, failures).RunAsync(Rate, Warmup, Duration);
        await AwaitSeenAsync(sent.AckedAt, seen);
        await stop.CancelAsync();
        var pollsPerSecond = await watching / Stopwatch.GetElapsedTime(watchStarted).TotalSeconds;

        var latencies = new List<double>(sent.AckedAt.Count);
        var early = 0;
        foreach (var (msgId, ackedAt) in sent.AckedAt)
        {
            if (!seen.TryGetValue(msgId, out var seenAt))
            {
                latencies.Add(double.PositiveInfinity);
                continue;
            }
            // The projection can beat the 201 to the client; that message was visible at once.
            if (seenAt < ackedAt) early++;
            latencies.Add(Math.Max(0, seenAt - ackedAt) * 1000.0 / Stopwatch.Frequency);
        }
        latencies.Sort();
        var finite = latencies.Where(double.IsFinite).ToList();
        return new SyncResult(Shape.Name, Shape.Size, Shape.Sessions.Count, Rate, sent.AckedAt.Count / Duration.TotalSeconds,
            sent.Scheduled, sent.Skipped, latencies.Count, latencies.Count - finite.Count, early,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), finite.Count == 0 ? double.NaN : finite[^1],
            pollsPerSecond, failures.Counts, failures.Samples);
    }

    private static async Task AwaitSeenAsync(ConcurrentDictionary<string, long> acked, ConcurrentDictionary<string, long> seen)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Grace.TotalSeconds * Stopwatch.Frequency);
        var missing = acked.Keys.ToList();
        while (true)
        {
            missing.RemoveAll(seen.ContainsKey);
            if (missing.Count == 0 || Stopwatch.GetTimestamp() >= deadline) return;
            await Task.Delay(10);
        }
    }

    private static double Percentile(List<double> sorted, double fraction) => sorted.Count == 0
        ? double.NaN
        : sorted[Math.Max(0, (int)Math.Ceiling(fraction * sorted.Count) - 1)];
}

/// <param name="AchievedRate">Sends of the measured window that got their 201, per second.</param>
/// <param name="Measured">Messages the latencies are over: those of the measured window that got their 201.</param>
/// <param name="Early">Seen in sync before their 201 reached the client (counted as 0 ms).</param>
/// <param name="MaxMs">Over the messages seen; <see cref="NotSeen"/> says how many were not.</param>
/// <param name="PollsPerSecond">The observer's sync requests: their spacing is a floor under the latency.</param>
public sealed record SyncResult(
    string Shape, int Members, int Sessions, double Rate, double AchievedRate, long Scheduled, long Skipped,
    int Measured, int NotSeen, int Early, double P50Ms, double P99Ms, double MaxMs, double PollsPerSecond,
    IReadOnlyDictionary<string, long> Errors, IReadOnlyDictionary<string, string> ErrorSamples)
{
    /// <summary>A sender that falls 5% short measured a lower rate than asked for.</summary>
    public bool RateReached => AchievedRate >= 0.95 * Rate;

    public long ErrorCount => Errors.Values.Sum();
}
