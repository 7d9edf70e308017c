using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Messages;

public sealed class MsgIdsTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Noon = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ids_carry_their_time_and_node()
    {
        var id = new MsgIds(nodeId: 937, new ManualClock(Noon)).Next();
        Assert.Equal(937, MsgIds.NodeOf(id));
        Assert.Equal(Noon, MsgIds.TimeOf(id));
        Assert.True(id > 0);
    }

    [Fact]
    public void later_ids_are_larger_also_within_one_millisecond()
    {
        var clock = new ManualClock(Noon);
        var ids = new MsgIds(1, clock);
        var first = ids.Next();
        var sameMillisecond = ids.Next();
        clock.Now = Noon.AddMilliseconds(1);
        var later = ids.Next();
        Assert.True(first < sameMillisecond && sameMillisecond < later);
    }

    [Fact]
    public void a_clock_that_steps_back_does_not_reorder_ids()
    {
        var clock = new ManualClock(Noon);
        var ids = new MsgIds(1, clock);
        var before = ids.Next();
        clock.Now = Noon.AddSeconds(-5);
        Assert.True(ids.Next() > before);
    }

    [Fact]
    public void more_than_4096_ids_in_one_millisecond_stay_unique_and_ordered()
    {
        var ids = new MsgIds(3, new ManualClock(Noon));
        var issued = Enumerable.Range(0, 10_000).Select(_ => ids.Next()).ToList();
        Assert.Equal(issued.Order(), issued);
        Assert.Equal(issued.Count, issued.Distinct().Count());
    }

    [Fact]
    public void ids_from_many_threads_are_unique()
    {
        var ids = new MsgIds(5, TimeProvider.System);
        var issued = new System.Collections.Concurrent.ConcurrentBag<long>();
        Parallel.For(0, 8, _ => { for (var i = 0; i < 20_000; i++) issued.Add(ids.Next()); });
        Assert.Equal(160_000, issued.Distinct().Count());
    }

    [Fact]
    public void two_nodes_never_issue_the_same_id_at_the_same_time()
    {
        var clock = new ManualClock(Noon);
        Assert.NotEqual(new MsgIds(1, clock).Next(), new MsgIds(2, clock).Next());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1024)]
    public void node_ids_outside_ten_bits_are_refused(int nodeId) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MsgIds(nodeId, TimeProvider.System));
}
