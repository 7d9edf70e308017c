using System.Collections.Concurrent;
using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <summary>
/// One user polling its sync as a client on a live connection would: next request as soon as the
/// previous answers. Its cursor carries over between cells, so each cell starts at the end.
/// </summary>
public sealed class SyncObserver(PlatformClient api, string userId)
{
    // Short enough not to add to the latency measured, long enough not to spin a core on empty pages.
    private static readonly TimeSpan IdlePause = TimeSpan.FromMilliseconds(2);
    private string? _cursor;

    /// <summary>Reads to the end of what is visible now, so the next watch sees only new messages.</summary>
    public async Task CatchUpAsync(CancellationToken ct)
    {
        SyncPageView page;
        do
        {
            page = await api.SyncAsync(userId, _cursor, ct);
            _cursor = page.Cursor;
        } while (page.HasMore);
    }

    /// <summary>Records the first time each message id is seen, until <paramref name="stop"/>.</summary>
    /// <returns>Sync requests answered: how often the observer looked bounds the latency it can see.</returns>
    public async Task<int> WatchAsync(ConcurrentDictionary<string, long> seen, Failures failures, CancellationToken stop)
    {
        var polls = 0;
        while (!stop.IsCancellationRequested)
        {
            SyncPageView page;
            try
            {
                page = await api.SyncAsync(userId, _cursor, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return polls;
            }
            catch (Exception e)
            {
                failures.Add(e, "sync");
                await Pause(stop);
                continue;
            }
            var seenAt = Stopwatch.GetTimestamp();
            polls++;
            foreach (var item in page.Items)
                if (item.Kind == "message") seen.TryAdd(item.MsgId, seenAt);
            _cursor = page.Cursor;
            if (!page.HasMore) await Pause(stop);
        }
        return polls;
    }

    // A pause cut short by the stop is not an error: the loop ends on its next check.
    private static async Task Pause(CancellationToken stop) =>
        await Task.Delay(IdlePause, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
}
