namespace MessagePlatform.Domain;

/// <summary>An item of one sync source with its position there, and its time for merging.</summary>
public sealed record SourcedItem<T>(long Position, DateTimeOffset At, long MsgId, T Item);

/// <summary>
/// Merges one page of the user chain with one page of the read feed. Each source is taken as a
/// prefix, so the cursor never passes an item it did not return; the feed's cursor may also move
/// over positions it scanned and found nothing for this user in.
/// </summary>
public static class SyncMerge
{
    public sealed record Page<T>(IReadOnlyList<T> Items, SyncCursor Cursor, bool HasMore);

    /// <param name="chain">Chain items after the cursor, in position order (more than limit means more exist).</param>
    /// <param name="feed">Visible feed items after the cursor, in position order, all found within the scanned window.</param>
    /// <param name="feedScannedTo">The last feed position scanned (the cursor's own if nothing was).</param>
    /// <param name="feedWindowFull">Whether the scan stopped at its cap, so more feed positions may follow.</param>
    public static Page<T> Merge<T>(SyncCursor cursor, IReadOnlyList<SourcedItem<T>> chain, IReadOnlyList<SourcedItem<T>> feed,
        long feedScannedTo, bool feedWindowFull, int limit)
    {
        var items = new List<T>(limit);
        int c = 0, f = 0;
        while (items.Count < limit && (c < chain.Count || f < feed.Count))
        {
            var takeChain = f == feed.Count
                || (c < chain.Count && (chain[c].At, chain[c].MsgId).CompareTo((feed[f].At, feed[f].MsgId)) <= 0);
            items.Add(takeChain ? chain[c++].Item : feed[f++].Item);
        }
        var userPosition = c == 0 ? cursor.UserPosition : chain[c - 1].Position;
        var feedPosition = f < feed.Count ? (f == 0 ? cursor.FeedPosition : feed[f - 1].Position) : feedScannedTo;
        var hasMore = c < chain.Count || f < feed.Count || feedWindowFull;
        return new Page<T>(items, new SyncCursor(userPosition, Math.Max(cursor.FeedPosition, feedPosition)), hasMore);
    }
}
