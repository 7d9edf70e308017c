using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Presence;

public sealed class PresenceRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Debounce = TimeSpan.FromSeconds(5);

    private static (IReadOnlyList<PresenceState> Changed, IReadOnlyList<object> Events) Track(
        IEnumerable<PresenceState> tracked, IEnumerable<string> connected, DateTimeOffset now) =>
        PresenceRules.Track(tracked.ToDictionary(s => s.UserId), connected.ToHashSet(), now, Debounce);

    [Fact]
    public void a_user_connecting_goes_online_at_once()
    {
        var (changed, events) = Track([], ["ann"], T0);
        Assert.Equal(new PresenceState("ann", true, null, T0), Assert.Single(changed));
        Assert.Equal(new UserWentOnline("ann", T0), Assert.Single(events));
    }

    [Fact]
    public void a_reconnect_within_the_debounce_is_no_event()
    {
        var online = new PresenceState("ann", true, null, T0);
        var (missing, none) = Track([online], [], T0.AddSeconds(1));
        Assert.Empty(none);
        var absent = Assert.Single(missing);
        Assert.Equal(T0.AddSeconds(1), absent.AbsentSince);
        var (back, still) = Track([absent], ["ann"], T0.AddSeconds(3));
        Assert.Empty(still);
        Assert.Null(Assert.Single(back).AbsentSince);
    }

    [Fact]
    public void a_user_away_for_the_debounce_goes_offline_last_seen_when_it_left()
    {
        var absent = new PresenceState("ann", true, T0, T0);
        Assert.Empty(Track([absent], [], T0.AddSeconds(4)).Events);
        var (changed, events) = Track([absent], [], T0.AddSeconds(5));
        Assert.Equal(new PresenceState("ann", false, null, T0), Assert.Single(changed));
        Assert.Equal(new UserWentOffline("ann", T0), Assert.Single(events));
    }

    [Fact]
    public void nothing_changes_for_a_user_staying_online()
    {
        var (changed, events) = Track([new PresenceState("ann", true, null, T0)], ["ann"], T0.AddMinutes(1));
        Assert.Empty(changed);
        Assert.Empty(events);
    }
}
