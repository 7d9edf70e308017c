using System.Collections.Concurrent;
using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <summary>
/// Sends as fast as the node takes them: each of <paramref name="concurrency"/> senders posts the
/// next message as soon as the last one is answered (closed loop), so the rate is the highest the
/// node accepts. A refusal (429 or 503 with Retry-After: the node slowing intake) is counted and
/// the sender pauses briefly, as a client honouring it would, instead of hammering on.
/// </summary>
public sealed class ClosedLoopSender(PlatformClient api, Func<(string SessionId, string From)> pickSender, Failures failures, int concurrency)
{
    // Retry-After is whole seconds; a real client would wait that long, which would idle the sender for most of a cell.
    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(20);

    public async Task<SendOutcome> RunAsync(TimeSpan warmup, TimeSpan duration)
    {
        var windowStart = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var windowEnd = windowStart + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var acked = new ConcurrentDictionary<string, long>();
        long scheduled = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                if (started >= windowEnd) return;
                var measured = started >= windowStart;
                if (measured) Interlocked.Increment(ref scheduled);
                try
                {
                    var (sessionId, from) = pickSender();
                    var (msgId, ackedAt) = await api.SendAsync(sessionId, from);
                    if (measured) acked.TryAdd(msgId, ackedAt);
                }
                catch (Exception e)
                {
                    failures.Add(e, "send");
                    await Task.Delay(Backoff);
                }
            }
        })));
        return new SendOutcome(acked, scheduled, Skipped: 0);
    }
}
