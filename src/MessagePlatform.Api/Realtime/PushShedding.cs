namespace MessagePlatform.Api.Realtime;

/// <summary>What a push that reaches its node late still gets to do (README "Realtime": the shedding order).</summary>
public enum Shedding
{
    /// <summary>On time: every frame goes.</summary>
    None,
    /// <summary>Late: low-priority room and broadcast frames are dropped (stored, readable by sync); the rest go.</summary>
    LowPriority,
    /// <summary>Later: no message frames at all; each connection gets one `sync` hint and catches up by its cursor.</summary>
    SyncInstead,
}

public static class PushShedding
{
    /// <param name="committedAt">The database's commit time of the batch's first event; default when unknown (never shed).</param>
    public static Shedding For(DateTimeOffset committedAt, DateTimeOffset now, RealtimeOptions options)
    {
        if (committedAt == default) return Shedding.None;
        var late = now - committedAt;
        if (late > TimeSpan.FromMilliseconds(options.SyncInsteadAfterMilliseconds)) return Shedding.SyncInstead;
        return late > TimeSpan.FromMilliseconds(options.ShedLowPriorityAfterMilliseconds) ? Shedding.LowPriority : Shedding.None;
    }
}
