using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Messages;

public sealed class RetractRulesTests
{
    private static readonly DateTimeOffset SentAt = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Session Group = Session.Open(new SessionOpened(
        "g", SessionType.Group, ["a", "b"], new SessionPolicy("forever", "keep", 120), Diffusion.Write, SentAt));

    private static readonly RetractTarget Target = new(MsgId: 7, Seq: 3, From: "a", SentAt, Retracted: false);

    private static Decision Retract(string by, DateTimeOffset now, bool asAdmin = false, RetractTarget? target = null) =>
        RetractRules.Decide(Group, target ?? Target, new RetractMessage("g", 7, by, "typo", asAdmin), now);

    [Fact]
    public void the_sender_retracts_within_the_window()
    {
        var retracted = Assert.IsType<MessageRetracted>(Assert.Single(Retract("a", SentAt.AddSeconds(120)).Events));
        Assert.Equal((7L, 3L, "a", "typo", false), (retracted.MsgId, retracted.Seq, retracted.By, retracted.Reason, retracted.AsAdmin));
    }

    [Fact]
    public void after_the_window_the_sender_is_too_late_but_an_admin_is_not()
    {
        Assert.Equal(RejectionKind.Conflict, Retract("a", SentAt.AddSeconds(121)).Rejection?.Kind);
        Assert.Single(Retract("ops", SentAt.AddDays(30), asAdmin: true).Events);
    }

    [Fact]
    public void someone_else_may_not_retract() =>
        Assert.Equal(RejectionKind.Forbidden, Retract("b", SentAt).Rejection?.Kind);

    [Fact]
    public void retracting_twice_is_a_no_op() =>
        Assert.Same(Decision.Nothing, Retract("a", SentAt, target: Target with { Retracted = true }));

    [Fact]
    public void an_unknown_message_or_session_is_not_found()
    {
        Assert.Equal(RejectionKind.NotFound,
            RetractRules.Decide(Group, null, new RetractMessage("g", 9, "a", null, false), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound,
            RetractRules.Decide(null, Target, new RetractMessage("g", 7, "a", null, false), SentAt).Rejection?.Kind);
    }
}
