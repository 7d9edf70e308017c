using MessagePlatform.Api.Daemon;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MessagePlatform.UnitTests.Daemon;

public sealed class ReaderHealthTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HealthOptions Options = new() { StalledAfterSeconds = 10, LagDegradedAtEvents = 100 };

    /// <param name="waitingSince">When the oldest event the reader has not processed was appended (null: none waits).</param>
    private static ReaderState Observe(ReaderState? before, long position, long lag, double? waitingSince, double atSeconds) =>
        ReaderStalls.Judge(before, new ReaderSample("RealtimePublisher", position, lag,
            waitingSince is { } since ? TimeSpan.FromSeconds(atSeconds - since) : null), T0.AddSeconds(atSeconds));

    [Fact]
    public void a_reader_that_does_not_move_while_events_wait_is_stuck_from_when_it_last_moved()
    {
        var first = Observe(null, 5, 3, waitingSince: -1, 0);
        var later = Observe(Observe(first, 5, 4, waitingSince: -1, 6), 5, 9, waitingSince: -1, 12);
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromSeconds(12)), (first.StuckFor, later.StuckFor));
        Assert.True(later.Stalled(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void a_reader_that_moves_however_slowly_is_not_stalled()
    {
        var state = Observe(null, 5, 3, waitingSince: -1, 0);
        for (var s = 1; s <= 30; s++) state = Observe(state, 5 + s, 3 + s, waitingSince: s - 1, s);
        Assert.Equal(TimeSpan.Zero, state.StuckFor);
    }

    [Fact]
    public void a_reader_with_nothing_to_read_is_not_stalled_and_is_stuck_only_from_when_events_began_to_wait()
    {
        var idle = Observe(Observe(null, 5, 0, waitingSince: null, 0), 5, 0, waitingSince: null, 60);
        var waiting = Observe(Observe(idle, 5, 1, waitingSince: 60.5, 61), 5, 1, waitingSince: 60.5, 65);
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromSeconds(4.5)), (idle.StuckFor, waiting.StuckFor));
    }

    [Fact]
    public void readiness_is_degraded_naming_the_stalled_reader_and_healthy_once_it_moves()
    {
        var stalled = new ReaderState("RealtimePublisher", 5, 2, TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(12), T0);
        var fine = new ReaderState("UserChain", 7, 0, null, TimeSpan.Zero, T0.AddSeconds(12));
        var result = ProjectionLag.Judge(new ReaderSnapshot(T0.AddSeconds(12), 7, [fine, stalled]), false, T0.AddSeconds(12), Options, TimeSpan.Zero);
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(12L, result.Data["stalledSeconds.RealtimePublisher"]);
        Assert.False(result.Data.ContainsKey("stalledSeconds.UserChain"));
        Assert.Equal(2L, result.Data["lag.RealtimePublisher"]);

        var moved = stalled with { Position = 7, Lag = 0, StuckFor = TimeSpan.Zero };
        Assert.Equal(HealthStatus.Healthy, ProjectionLag.Judge(new ReaderSnapshot(T0.AddSeconds(13), 7, [fine, moved]), false, T0.AddSeconds(13), Options, TimeSpan.Zero).Status);
    }

    [Fact]
    public void a_reader_far_behind_is_degraded_and_an_unsampled_store_is_degraded_once_sampling_fails()
    {
        var behind = new ReaderState("UserChain", 0, 100, TimeSpan.FromSeconds(1), TimeSpan.Zero, T0);
        var result = ProjectionLag.Judge(new ReaderSnapshot(T0, 100, [behind]), false, T0, Options, TimeSpan.Zero);
        Assert.Equal((HealthStatus.Degraded, 100L), (result.Status, (long)result.Data["lagEvents"]));
        Assert.Equal(HealthStatus.Degraded, ProjectionLag.Judge(null, true, T0, Options, TimeSpan.Zero).Status);
        Assert.Equal(HealthStatus.Degraded,
            ProjectionLag.Judge(new ReaderSnapshot(T0, 0, [behind with { Lag = 0 }]), true, T0.AddSeconds(5), Options, TimeSpan.Zero).Status);
    }
}
