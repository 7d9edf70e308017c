using MessagePlatform.Domain;
using static MessagePlatform.UnitTests.Chat.ChatSessions;

namespace MessagePlatform.UnitTests.Chat;

public sealed class PinRulesTests
{
    private static readonly MessageRef Target = new(MsgId: 7, Seq: 3, From: "a", SentAt, Retracted: false);

    private static Session Pinned(Session session, params long[] msgIds) =>
        msgIds.Aggregate(session, (s, id) => s.Evolve(new MessagePinned(id, id, "a", SentAt)));

    [Fact]
    public void a_member_pins_and_pinning_again_is_a_no_op()
    {
        var pinned = Assert.IsType<MessagePinned>(Assert.Single(PinRules.Pin(Group(), Target, new("g", 7, "b"), SentAt).Events));
        Assert.Equal((7L, 3L, "b", SentAt), (pinned.MsgId, pinned.Seq, pinned.By, pinned.At));
        var session = Group().Evolve(pinned);
        Assert.Equal([7L], session.Pins);
        Assert.Same(Decision.Nothing, PinRules.Pin(session, Target, new("g", 7, "a"), SentAt));
    }

    [Fact]
    public void unpinning_removes_the_pin_and_unpinning_again_is_a_no_op()
    {
        var session = Pinned(Group(), 7);
        var unpinned = Assert.IsType<MessageUnpinned>(Assert.Single(PinRules.Unpin(session, new("g", 7, "b"), SentAt).Events));
        Assert.Equal((7L, "b"), (unpinned.MsgId, unpinned.By));
        session = session.Evolve(unpinned);
        Assert.Empty(session.Pins);
        Assert.Same(Decision.Nothing, PinRules.Unpin(session, new("g", 7, "b"), SentAt));
    }

    [Fact]
    public void a_retracted_message_is_not_pinned_and_its_retraction_unpins_it()
    {
        Assert.Equal(RejectionKind.Conflict, PinRules.Pin(Group(), Target with { Retracted = true }, new("g", 7, "a"), SentAt).Rejection?.Kind);
        var session = Pinned(Group(), 7, 8).Evolve(new MessageRetracted(7, 3, "a", null, false, SentAt));
        Assert.Equal([8L], session.Pins);
    }

    [Fact]
    public void a_session_holds_at_most_a_hundred_pins()
    {
        var ninetyNine = Pinned(Group(), [.. Enumerable.Range(100, 99).Select(i => (long)i)]);
        Assert.Single(PinRules.Pin(ninetyNine, Target, new("g", 7, "a"), SentAt).Events);
        var hundred = Pinned(ninetyNine, 500);
        Assert.Equal(RejectionKind.Conflict, PinRules.Pin(hundred, Target, new("g", 7, "a"), SentAt).Rejection?.Kind);
        // Already pinned stays a no-op at the cap, so a retried pin still answers 200.
        Assert.Same(Decision.Nothing, PinRules.Pin(hundred, Target with { MsgId = 500 }, new("g", 500, "a"), SentAt));
    }

    [Fact]
    public void strangers_unknown_messages_and_closed_sessions_are_refused()
    {
        Assert.Equal(RejectionKind.Forbidden, PinRules.Pin(Group(), Target, new("g", 7, "x"), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.Forbidden, PinRules.Unpin(Pinned(Group(), 7), new("g", 7, "x"), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, PinRules.Pin(Group(), null, new("g", 7, "a"), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, PinRules.Pin(Group(), Target, new("g", 8, "a"), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, PinRules.Pin(null, Target, new("g", 7, "a"), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, PinRules.Unpin(null, new("g", 7, "a"), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, PinRules.Pin(Closed(Group()), Target, new("g", 7, "a"), SentAt).Rejection?.Kind);
    }
}
