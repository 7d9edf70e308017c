using MessagePlatform.Api.Realtime;

namespace MessagePlatform.UnitTests.Realtime;

public sealed class PushSheddingTests
{
    private static readonly DateTimeOffset Committed = new(2026, 12, 2, 4, 0, 0, TimeSpan.Zero);
    private static readonly RealtimeOptions Defaults = new();

    [Theory]
    [InlineData(0, Shedding.None)]
    [InlineData(500, Shedding.None)]
    [InlineData(501, Shedding.LowPriority)]
    [InlineData(1000, Shedding.LowPriority)]
    [InlineData(1001, Shedding.SyncInstead)]
    [InlineData(60_000, Shedding.SyncInstead)]
    public void low_priority_goes_first_then_frames_give_way_to_a_sync_hint(int lateMs, Shedding expected) =>
        Assert.Equal(expected, PushShedding.For(Committed, Committed.AddMilliseconds(lateMs), Defaults));

    [Fact]
    public void a_push_whose_commit_time_is_unknown_is_never_shed() =>
        Assert.Equal(Shedding.None, PushShedding.For(default, Committed, Defaults));
}
