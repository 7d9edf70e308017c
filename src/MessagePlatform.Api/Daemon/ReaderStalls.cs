namespace MessagePlatform.Api.Daemon;

/// <summary>One reader of the store as one sample saw it: its position, how far it trails, and its oldest waiting event's age (null: none waits).</summary>
public sealed record ReaderSample(string Name, long Position, long Lag, TimeSpan? OldestWaiting);

/// <summary>A reader as readiness judges it: the sample, and how long it has made no progress while events waited (zero when it moves or is caught up).</summary>
public sealed record ReaderState(string Name, long Position, long Lag, TimeSpan? OldestWaiting, TimeSpan StuckFor, DateTimeOffset StuckSince)
{
    public bool Stalled(TimeSpan after) => StuckFor >= after;
}

/// <summary>
/// Pure rule of a stalled reader: one whose position has not moved since some time while events
/// waited for it. A reader that moves, however slowly, is not stalled (its lag says how far behind
/// it is); one with nothing to read is not stalled however long it sits still.
/// </summary>
public static class ReaderStalls
{
    public static ReaderState Judge(ReaderState? before, ReaderSample now, DateTimeOffset at)
    {
        var moved = before is null || before.Position != now.Position || now.OldestWaiting is null;
        var since = moved ? at : before!.StuckSince;
        // Not stuck for longer than its oldest waiting event has existed: it may have arrived just after the reader caught up.
        var stuckFor = at - since < now.OldestWaiting ? at - since : now.OldestWaiting ?? TimeSpan.Zero;
        return new ReaderState(now.Name, now.Position, now.Lag, now.OldestWaiting, stuckFor, since);
    }
}
