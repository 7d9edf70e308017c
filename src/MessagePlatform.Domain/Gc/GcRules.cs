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
}
