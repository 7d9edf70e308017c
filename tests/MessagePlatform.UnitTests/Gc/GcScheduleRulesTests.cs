using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Gc;

/// <summary>When a session is due for GC next, and when a failed one is tried again.</summary>
public sealed class GcScheduleRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static Session SessionWith(string retention, string onClose = "keep", bool closed = false, bool held = false) =>
        new("s", SessionType.Group, [], new SessionPolicy(retention, onClose, 120), Diffusion.Write, closed, Now.AddDays(-30), held);

    [Fact]
    public void days_n_is_due_when_the_oldest_kept_message_turns_n_days_old() =>
        Assert.Equal(Now.AddDays(-1).AddDays(7), GcRules.NextDue(SessionWith("days:7"), 3, Now.AddDays(-1), Now));

    [Fact]
    public void days_n_without_messages_is_not_due() =>
        Assert.Null(GcRules.NextDue(SessionWith("days:7"), 0, null, Now));

    [Fact]
    public void a_ring_buffer_is_due_at_once_only_past_its_n() =>
        Assert.Equal([null, null, Now], new long[] { 0, 10, 11 }.Select(n => GcRules.NextDue(SessionWith("last:10"), n, Now, Now)));

    [Fact]
    public void forever_is_never_due() =>
        Assert.Null(GcRules.NextDue(SessionWith("forever"), 1_000_000, Now.AddYears(-5), Now));

    [Fact]
    public void a_closed_session_under_on_close_delete_is_due_at_once_even_while_held() =>
        Assert.Equal(Now, GcRules.NextDue(SessionWith("forever", "delete", closed: true, held: true), 0, null, Now));

    [Fact]
    public void a_hold_does_not_change_when_a_session_is_due() =>
        Assert.Equal(GcRules.NextDue(SessionWith("last:1"), 5, Now, Now), GcRules.NextDue(SessionWith("last:1", held: true), 5, Now, Now));

    [Fact]
    public void a_failed_session_is_retried_after_the_interval_doubling_per_failure_up_to_the_cap() =>
        Assert.Equal([TimeSpan.Zero, Minute, 2 * Minute, 4 * Minute, 8 * Minute, 10 * Minute, 10 * Minute],
            new[] { 0, 1, 2, 3, 4, 5, 1_000 }.Select(n => GcRules.RetryDelay(n, Minute, 10 * Minute)));
}
