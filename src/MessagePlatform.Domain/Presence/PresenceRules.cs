namespace MessagePlatform.Domain;

/// <summary>A user's tracked presence: online, and since when it has been missing while still counted online.</summary>
public sealed record PresenceState(string UserId, bool Online, DateTimeOffset? AbsentSince, DateTimeOffset? LastSeenAt);

/// <summary>
/// Pure rules of presence (the seeds' connect and will-message events, debounced): a user coming
/// online is told at once; one whose connections all went is told offline only after it stayed away
/// for the debounce, so a reconnect within it is no event at all.
/// </summary>
public static class PresenceRules
{
    public static readonly TimeSpan Debounce = TimeSpan.FromSeconds(5);

    /// <param name="tracked">The users counted online now (their stored state).</param>
    /// <param name="connected">The users holding a connection on a live node now.</param>
    /// <returns>The states that changed and the events to record, in user order.</returns>
    public static (IReadOnlyList<PresenceState> Changed, IReadOnlyList<object> Events) Track(
        IReadOnlyDictionary<string, PresenceState> tracked, IReadOnlySet<string> connected, DateTimeOffset now, TimeSpan debounce)
    {
        var changed = new List<PresenceState>();
        var events = new List<object>();
        foreach (var user in connected.Union(tracked.Keys).Order(StringComparer.Ordinal))
        {
            var state = tracked.GetValueOrDefault(user);
            var isConnected = connected.Contains(user);
            if (isConnected && state is not { Online: true })
            {
                changed.Add(new PresenceState(user, true, null, now));
                events.Add(new UserWentOnline(user, now));
            }
            else if (isConnected && state!.AbsentSince is not null)
                changed.Add(state with { AbsentSince = null, LastSeenAt = now });
            else if (!isConnected && state is { Online: true, AbsentSince: null })
                changed.Add(state with { AbsentSince = now });
            else if (!isConnected && state is { Online: true, AbsentSince: { } since } && now - since >= debounce)
            {
                changed.Add(new PresenceState(user, false, null, since));
                events.Add(new UserWentOffline(user, since));
            }
        }
        return (changed, events);
    }
}
