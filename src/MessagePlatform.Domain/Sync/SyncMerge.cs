namespace MessagePlatform.Domain;

/// <summary>An item of one sync source with its position there, and its time for merging.</summary>
public sealed record SourcedItem<T>(long Position, DateTimeOffset At, long MsgId, T Item);

/// <summary>
/// What a scan of a shared source (the tenant's read feed, its broadcasts) found for one user: the
/// visible items of the window, how far it scanned, and whether it stopped at its cap.
/// </summary>
public sealed record SyncWindow<T>(IReadOnlyList<SourcedItem<T>> Items, long ScannedTo, bool Full)
{
    public static SyncWindow<T> Empty(long at) => new([], at, false);
}

/// <summary>
/// Merges one page of the user chain with the windows of the shared sources, by time. Each source
/// is taken as a prefix, so a cursor never passes an item it did not return; a window's cursor may
/// also move over positions it scanned and found nothing for this user in.
/// </summary>
public static class SyncMerge
{
    public sealed record Page<T>(IReadOnlyList<T> Items, SyncCursor Cursor, bool HasMore);

    /// <param name="chain">Chain items after the cursor, in position order (more than limit means more exist).</param>
    public static Page<T> Merge<T>(SyncCursor cursor, IReadOnlyList<SourcedItem<T>> chain, SyncWindow<T> feed, SyncWindow<T> broadcasts,
        int limit)
    {
        IReadOnlyList<SourcedItem<T>>[] sources = [chain, feed.Items, broadcasts.Items];
        var taken = new int[sources.Length];
        var items = new List<T>(limit);
        while (items.Count < limit)
        {
            var next = -1;
            for (var s = 0; s < sources.Length; s++)
            {
                if (taken[s] == sources[s].Count) continue;
                var head = sources[s][taken[s]];
                if (next < 0 || (head.At, head.MsgId).CompareTo((sources[next][taken[next]].At, sources[next][taken[next]].MsgId)) < 0)
                    next = s;
            }
            if (next < 0) break;
            items.Add(sources[next][taken[next]++].Item);
        }
        var userPosition = taken[0] == 0 ? cursor.UserPosition : chain[taken[0] - 1].Position;
        var feedPosition = Moved(cursor.FeedPosition, feed, taken[1]);
        var broadcastPosition = Moved(cursor.BroadcastPosition, broadcasts, taken[2]);
        var hasMore = taken[0] < chain.Count || taken[1] < feed.Items.Count || taken[2] < broadcasts.Items.Count
            || feed.Full || broadcasts.Full;
        return new Page<T>(items, new SyncCursor(userPosition, feedPosition, broadcastPosition), hasMore);
    }

    /// <summary>All of a window taken: past everything it scanned. Otherwise: up to the last item taken.</summary>
    private static long Moved<T>(long from, SyncWindow<T> window, int taken)
    {
        var to = taken < window.Items.Count ? (taken == 0 ? from : window.Items[taken - 1].Position) : window.ScannedTo;
        return Math.Max(from, to);
    }
}
