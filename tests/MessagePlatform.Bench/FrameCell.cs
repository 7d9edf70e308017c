using System.Collections.Concurrent;
using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <summary>
/// One measurement of send → frame: REST sends at <see cref="Rate"/> (open loop) while every
/// receiver's WebSocket records its message frames. Each frame's latency runs from its send's 201
/// to its arrival at one receiver; a frame still missing <see cref="SyncCell.Grace"/> after the
/// last send counts as infinitely late, as in the sync section.
/// </summary>
public sealed record FrameCell(string Name, double Rate, TimeSpan Warmup, TimeSpan Duration)
{
    /// <param name="perMessage">Receivers each message should reach: the frames expected of it.</param>
    public Task<FrameResult> RunAsync(
        PlatformClient api, Func<(string SessionId, string From)> pickSender, IReadOnlyList<IOnlineClient> receivers, int perMessage) =>
        RunAsync(failures => new OpenLoopSender(api, pickSender, failures).RunAsync(Rate, Warmup, Duration), receivers, perMessage);

    /// <param name="send">Runs the sends of warm-up and window, reporting failures into the cell's; open loop or closed.</param>
    public async Task<FrameResult> RunAsync(Func<Failures, Task<SendOutcome>> send, IReadOnlyList<IOnlineClient> receivers, int perMessage)
    {
        var log = new FrameLog();
        foreach (var receiver in receivers) receiver.RecordInto(log);
        var failures = new Failures();
        var windowStart = Stopwatch.GetTimestamp() + (long)(Warmup.TotalSeconds * Stopwatch.Frequency);
        var sent = await send(failures);
        await AwaitFramesAsync(sent.AckedAt, log, perMessage);

        var latencies = new List<double>(sent.AckedAt.Count * perMessage);
        long early = 0, lastArrival = 0;
        foreach (var (msgId, arrivedAt) in log.Arrivals)
        {
            // Frames of warm-up sends (and of sends that failed) are not measured.
            if (!sent.AckedAt.TryGetValue(msgId, out var ackedAt)) continue;
            // The frame can beat the 201 to the client; that message was pushed at once.
            if (arrivedAt < ackedAt) early++;
            latencies.Add(Math.Max(0, arrivedAt - ackedAt) * 1000.0 / Stopwatch.Frequency);
            lastArrival = Math.Max(lastArrival, arrivedAt);
        }
        var delivered = latencies.Count;
        var maxMs = delivered == 0 ? double.NaN : latencies.Max();
        var expected = (long)sent.AckedAt.Count * perMessage;
        latencies.AddRange(Enumerable.Repeat(double.PositiveInfinity, (int)Math.Max(0, expected - delivered)));
        latencies.Sort();
        // Sends and frames over the time they took: the window, or longer when the last came late
        // (one session's sends queue behind each other, so a hot session may not reach the rate asked).
        var windowEnd = windowStart + (long)(Duration.TotalSeconds * Stopwatch.Frequency);
        double Seconds(long last) => (double)(Math.Max(windowEnd, last) - windowStart) / Stopwatch.Frequency;
        var lastAck = sent.AckedAt.IsEmpty ? 0 : sent.AckedAt.Values.Max();
        var (otherFrames, otherSample) = log.OtherFrames;
        // How long pushes trailed the sends once they stopped: the last frame after the last 201.
        var tailMs = expected == 0 ? double.NaN
            : delivered < expected ? double.PositiveInfinity
            : Math.Max(0, lastArrival - lastAck) * 1000.0 / Stopwatch.Frequency;
        return new FrameResult(Name, receivers.Count, Rate, sent.AckedAt.Count / Seconds(lastAck), sent.Skipped,
            sent.AckedAt.Count, expected, delivered, delivered / Seconds(lastArrival), early,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), maxMs, log.SyncFrames, log.Duplicates,
            otherFrames, otherSample, failures.Counts, failures.Samples, tailMs);
    }

    private static async Task AwaitFramesAsync(ConcurrentDictionary<string, long> acked, FrameLog log, int perMessage)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(SyncCell.Grace.TotalSeconds * Stopwatch.Frequency);
        var incomplete = acked.Keys.ToList();
        while (true)
        {
            incomplete.RemoveAll(msgId => log.ReceiversOf(msgId) >= perMessage);
            if (incomplete.Count == 0 || Stopwatch.GetTimestamp() >= deadline) return;
            await Task.Delay(20);
        }
    }

    private static double Percentile(List<double> sorted, double fraction) => sorted.Count == 0
        ? double.NaN
        : sorted[Math.Max(0, (int)Math.Ceiling(fraction * sorted.Count) - 1)];
}

/// <param name="SentRate">Sends of the measured window that got their 201, over the window or until the last 201 if later.</param>
/// <param name="Messages">Those sends: the latencies are over their frames.</param>
/// <param name="FramesPerSecond">Frames delivered, over the window or until the last of them came if later.</param>
/// <param name="Early">Frames that arrived before their send's 201 reached the sender (counted as 0 ms).</param>
/// <param name="SyncFrames">Over warm-up, measurement and grace, on all the receivers.</param>
/// <param name="Duplicates">Frames sent again to a receiver that had one already (ack not in within 2 s).</param>
/// <param name="Rate">Sends per second asked; 0 for a closed loop, which sends as fast as it is answered.</param>
/// <param name="TailMs">From the last measured send's 201 to the last of its frames; ∞ when some never came.</param>
public sealed record FrameResult(
    string Name, int Receivers, double Rate, double SentRate, long Skipped, int Messages, long Expected, long Delivered,
    double FramesPerSecond, long Early, double P50Ms, double P99Ms, double MaxMs, long SyncFrames, long Duplicates,
    long OtherFrames, string? OtherSample, IReadOnlyDictionary<string, long> Errors, IReadOnlyDictionary<string, string> ErrorSamples,
    double TailMs)
{
    public long Missing => Expected - Delivered;

    public long ErrorCount => Errors.Values.Sum();

    public string Summary => $"{SentRate:N0} msgs/s sent, {FramesPerSecond:N0} frames/s  p50 {SyncTable.Ms(P50Ms)} ms  p99 {SyncTable.Ms(P99Ms)} ms"
        + (Missing > 0 ? $", {Missing:N0} of {Expected:N0} frames missing" : "")
        + (SyncFrames > 0 ? $", {SyncFrames:N0} sync frames" : "")
        + (Duplicates > 0 ? $", {Duplicates:N0} resent" : "")
        + (Skipped > 0 ? $", {Skipped:N0} sends skipped" : "")
        + (ErrorCount > 0 ? $", {ErrorCount:N0} errors" : "");
}
