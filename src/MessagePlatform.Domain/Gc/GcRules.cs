namespace MessagePlatform.Domain;

/// <summary>What GC should do with one session now.</summary>
public abstract record GcPlan
{
    /// <summary>Nothing to remove: the policy keeps everything, or the session is on legal hold.</summary>
    public sealed record Keep(string Why) : GcPlan;

    /// <summary>The whole session goes: closed under onClose "delete".</summary>
    public sealed record DeleteSession : GcPlan;

    /// <summary>Remove all but the newest <paramref name="Count"/> messages (a live room's ring buffer).</summary>
    public sealed record KeepLast(int Count) : GcPlan;

    /// <summary>Remove the messages sent before <paramref name="Cutoff"/>.</summary>
    public sealed record DropSentBefore(DateTimeOffset Cutoff) : GcPlan;
}

/// <summary>Pure rules of garbage collection per business scenario; time comes in as an argument.</summary>
public static class GcRules
{
    public static GcPlan Decide(Session? session, DateTimeOffset now)
    {
        if (session is null) return new GcPlan.Keep("no such session");
        // A hold wins over every policy, onClose included: auditors asked for everything to stay.
        if (session.LegalHold) return new GcPlan.Keep("legal hold");
        if (session.Closed && session.Policy.OnClose == "delete") return new GcPlan.DeleteSession();
        var retention = Retention.Parse(session.Policy.Retention);
        return retention.Kind switch
        {
            RetentionKind.Last => new GcPlan.KeepLast(retention.N),
            RetentionKind.Days => new GcPlan.DropSentBefore(now.AddDays(-retention.N)),
            _ => new GcPlan.Keep("retention forever"),
        };
    }

    /// <summary>
    /// The highest seq one unit of work removes: the policy's cutoff, but never more than
    /// <paramref name="batchEnd"/> (the seq of the batch's last message), so a stream with a long
    /// head is trimmed in steps that each fit in memory and in a short transaction.
    /// </summary>
    public static long? StepCutoff(long? policyCutoff, long? batchEnd) =>
        policyCutoff is not { } cutoff ? null
        : batchEnd is { } end && end < cutoff ? end
        : cutoff;

    /// <summary>A live room's timeline and a user's timelines: entries older than this are hidden and swept.</summary>
    public static DateTimeOffset TimelineCutoff(DateTimeOffset now, int retentionDays) => now.AddDays(-retentionDays);

    /// <summary>Broadcasts sent before this are hidden from sync: 'days:N' counts back from now; the others keep by count or forever.</summary>
    public static DateTimeOffset BroadcastsCutoff(DateTimeOffset now, string retention) =>
        Retention.Parse(retention) is { Kind: RetentionKind.Days, N: var days } ? now.AddDays(-days) : DateTimeOffset.UnixEpoch;

    /// <summary>
    /// When a session whose step failed <paramref name="failures"/> times in a row is tried again: after
    /// one interval, doubling per failure, never later than <paramref name="max"/>. A session that fails
    /// for good (a bad row, a stuck lock) costs a pass little, and one that failed once is soon retried.
    /// </summary>
    public static TimeSpan RetryDelay(int failures, TimeSpan interval, TimeSpan max)
    {
        if (failures < 1) return TimeSpan.Zero;
        var doublings = Math.Min(failures - 1, 30);
        var delay = interval.Ticks * Math.Pow(2, doublings);
        return delay >= max.Ticks ? max : TimeSpan.FromTicks((long)delay);
    }

    /// <summary>
    /// When GC should next visit a session, from what it holds now (<paramref name="messages"/> kept, the
    /// oldest sent at <paramref name="oldestSentAt"/>): at once when closed under onClose "delete" or
    /// past a ring buffer's N; when the oldest turns N days old; never for "forever". A hold does not
    /// change it: the hold only keeps GC away until it is lifted, and then this is when it is due.
    /// </summary>
    public static DateTimeOffset? NextDue(Session session, long messages, DateTimeOffset? oldestSentAt, DateTimeOffset now)
    {
        if (session.Closed && session.Policy.OnClose == "delete") return now;
        var retention = Retention.Parse(session.Policy.Retention);
        return retention.Kind switch
        {
            RetentionKind.Days => oldestSentAt?.AddDays(retention.N),
            RetentionKind.Last => messages > retention.N ? now : null,
            _ => null,
        };
    }
}
