using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Gc;

public sealed class GcRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static Session SessionWith(string retention, string onClose, bool closed = false, bool held = false) =>
        new("s", SessionType.Room, [], new SessionPolicy(retention, onClose, 120), Diffusion.Read, closed, Now.AddDays(-30), held);

    [Theory]
    [InlineData("forever", RetentionKind.Forever, 0)]
    [InlineData("days:7", RetentionKind.Days, 7)]
    [InlineData("last:1000", RetentionKind.Last, 1000)]
    [InlineData("last:x", RetentionKind.Forever, 0)]
    [InlineData("weeks:2", RetentionKind.Forever, 0)]
    public void retention_parses_what_the_policy_validated(string text, RetentionKind kind, int n) =>
        Assert.Equal(new Retention(kind, n), Retention.Parse(text));

    [Fact]
    public void forever_keeps_everything() =>
        Assert.IsType<GcPlan.Keep>(GcRules.Decide(SessionWith("forever", "keep"), Now));

    [Fact]
    public void last_n_keeps_a_ring_buffer_while_live() =>
        Assert.Equal(new GcPlan.KeepLast(1000), GcRules.Decide(SessionWith("last:1000", "delete"), Now));

    [Fact]
    public void days_n_drops_what_was_sent_before_n_days_ago() =>
        Assert.Equal(new GcPlan.DropSentBefore(Now.AddDays(-7)), GcRules.Decide(SessionWith("days:7", "keep"), Now));

    [Fact]
    public void a_closed_session_under_on_close_delete_goes_whole() =>
        Assert.IsType<GcPlan.DeleteSession>(GcRules.Decide(SessionWith("last:1000", "delete", closed: true), Now));

    [Fact]
    public void a_closed_session_under_on_close_keep_follows_its_retention() =>
        Assert.Equal(new GcPlan.KeepLast(5), GcRules.Decide(SessionWith("last:5", "keep", closed: true), Now));

    [Theory]
    [InlineData("last:10", "delete", true)]
    [InlineData("last:10", "delete", false)]
    [InlineData("days:1", "keep", false)]
    public void a_held_session_is_never_touched(string retention, string onClose, bool closed) =>
        Assert.Equal(new GcPlan.Keep("legal hold"), GcRules.Decide(SessionWith(retention, onClose, closed, held: true), Now));

    [Fact]
    public void an_unknown_session_is_left_alone() => Assert.IsType<GcPlan.Keep>(GcRules.Decide(null, Now));

    [Theory]
    [InlineData(null, 50L, null)]
    [InlineData(100L, null, 100L)]
    [InlineData(100L, 50L, 50L)]
    [InlineData(40L, 50L, 40L)]
    public void a_step_removes_at_most_one_batch(long? policyCutoff, long? batchEnd, long? expected) =>
        Assert.Equal(expected, GcRules.StepCutoff(policyCutoff, batchEnd));

    [Fact]
    public void holds_are_placed_and_lifted_once()
    {
        var open = SessionWith("last:10", "delete");
        var placed = SessionRules.PlaceHold(open, "auditor", "case 42", Now);
        var held = open.Evolve(Assert.IsType<LegalHoldPlaced>(Assert.Single(placed.Events)));
        Assert.True(held.LegalHold);
        Assert.Same(Decision.Nothing, SessionRules.PlaceHold(held, "auditor", null, Now));
        var lifted = held.Evolve(Assert.IsType<LegalHoldLifted>(Assert.Single(SessionRules.LiftHold(held, "auditor", Now).Events)));
        Assert.False(lifted.LegalHold);
        Assert.Same(Decision.Nothing, SessionRules.LiftHold(lifted, "auditor", Now));
        Assert.Equal(RejectionKind.NotFound, SessionRules.PlaceHold(null, "auditor", null, Now).Rejection?.Kind);
        Assert.Equal(RejectionKind.Invalid, SessionRules.PlaceHold(open, "auditor", new string('x', 501), Now).Rejection?.Kind);
    }
}
