using System.Collections.Concurrent;
using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <param name="AckedAt">Message id → Stopwatch time of its 201, for sends due in the measured window.</param>
/// <param name="Scheduled">Sends due in the measured window.</param>
/// <param name="Skipped">Of those, sends not launched because <see cref="OpenLoopSender.MaxInFlight"/> were still open.</param>
public sealed record SendOutcome(ConcurrentDictionary<string, long> AckedAt, long Scheduled, long Skipped);

/// <summary>
/// Sends into a shape at a fixed rate whether or not earlier sends have answered (open loop), as
/// independent users do: a slow server then shows as latency and skipped sends, not as a lower
/// rate the benchmark quietly adapted to.
/// </summary>
/// <param name="pickSender">Where each send goes and as whom.</param>
public sealed class OpenLoopSender(PlatformClient api, Func<(string SessionId, string From)> pickSender, Failures failures)
{
    /// <summary>Beyond this the server is not keeping up; queueing more would only measure the queue.</summary>
    public const int MaxInFlight = 256;

    private int _inFlight;

    public async Task<SendOutcome> RunAsync(double rate, TimeSpan warmup, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        var windowStart = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var total = (long)(rate * (warmup + duration).TotalSeconds);
        var acked = new ConcurrentDictionary<string, long>();
        var launched = new List<Task>((int)Math.Min(total, 1_000_000));
        long next = 0, scheduled = 0, skipped = 0;
        while (next < total)
        {
            // Every send whose time has come goes now: the timer wakes about once a millisecond,
            // so at high rates sends leave in small bursts that still average to the rate.
            var due = Math.Min(total, (long)((Stopwatch.GetTimestamp() - start) * rate / Stopwatch.Frequency) + 1);
            for (; next < due; next++)
            {
                var measured = start + (long)(next * Stopwatch.Frequency / rate) >= windowStart;
                if (measured) scheduled++;
                if (Volatile.Read(ref _inFlight) >= MaxInFlight)
                {
                    if (measured) skipped++;
                    continue;
                }
                Interlocked.Increment(ref _inFlight);
                // On the pool, so building and starting a request never delays the schedule.
                launched.Add(Task.Run(() => SendAsync(measured ? acked : null)));
            }
            if (next < total) await Task.Delay(1);
        }
        await Task.WhenAll(launched);
        return new SendOutcome(acked, scheduled, skipped);
    }

    private async Task SendAsync(ConcurrentDictionary<string, long>? acked)
    {
        try
        {
            var (sessionId, from) = pickSender();
            var (msgId, ackedAt) = await api.SendAsync(sessionId, from);
            acked?.TryAdd(msgId, ackedAt);
        }
        catch (Exception e)
        {
            // Failures count during warm-up too: an error is worth reporting whenever it happens.
            failures.Add(e, "send");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
