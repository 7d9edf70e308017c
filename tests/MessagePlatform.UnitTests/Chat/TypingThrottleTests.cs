using MessagePlatform.Domain;
using static MessagePlatform.UnitTests.Chat.ChatSessions;

namespace MessagePlatform.UnitTests.Chat;

public sealed class TypingThrottleTests
{
    private static readonly DateTimeOffset Last = SentAt;

    [Fact]
    public void the_first_typing_fans_out_and_the_next_only_two_seconds_later()
    {
        Assert.True(TypingThrottle.ShouldFanOut(null, Last));
        Assert.False(TypingThrottle.ShouldFanOut(Last, Last));
        Assert.False(TypingThrottle.ShouldFanOut(Last, Last.AddMilliseconds(1999)));
        Assert.True(TypingThrottle.ShouldFanOut(Last, Last.AddSeconds(2)));
    }

    [Fact]
    public void a_clock_that_stepped_back_fans_out_rather_than_stay_silent() =>
        Assert.True(TypingThrottle.ShouldFanOut(Last, Last.AddMinutes(-5)));

    [Fact]
    public void a_fan_out_is_forgotten_once_it_throttles_nothing()
    {
        Assert.False(TypingThrottle.CanForget(Last, Last.AddMilliseconds(1999)));
        Assert.True(TypingThrottle.CanForget(Last, Last.AddSeconds(2)));
    }

    [Fact]
    public void members_and_room_visitors_type_strangers_and_closed_sessions_do_not()
    {
        Assert.IsType<TypingVerdict.FanOut>(TypingThrottle.Decide(Group(), "a", null, Last));
        Assert.IsType<TypingVerdict.Throttled>(TypingThrottle.Decide(Group(), "a", Last, Last.AddSeconds(1)));
        Assert.IsType<TypingVerdict.FanOut>(TypingThrottle.Decide(Room(), "x", null, Last));
        Assert.Equal(RejectionKind.Forbidden, Assert.IsType<TypingVerdict.Refused>(TypingThrottle.Decide(Group(), "x", null, Last)).Rejection.Kind);
        Assert.Equal(RejectionKind.Conflict, Assert.IsType<TypingVerdict.Refused>(TypingThrottle.Decide(Closed(Group()), "a", null, Last)).Rejection.Kind);
        Assert.Equal(RejectionKind.NotFound, Assert.IsType<TypingVerdict.Refused>(TypingThrottle.Decide(null, "a", null, Last)).Rejection.Kind);
    }
}
