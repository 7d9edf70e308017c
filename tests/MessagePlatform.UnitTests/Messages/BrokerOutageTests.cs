using MessagePlatform.Api.Messages;

namespace MessagePlatform.UnitTests.Messages;

public sealed class BrokerOutageTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly IntakeOptions Options = new() { ShedLowPriorityAtMs = 500, RefuseAllAtMs = 1000, BrokerRecoverySeconds = 30 };

    [Fact]
    public void while_the_bus_is_down_only_the_webhook_outbox_counts()
    {
        var outage = BrokerOutage.None.Next(connected: false, publisherTrailingMs: 20_000, Options, Now);
        Assert.True(outage.ExcusesPublisher);
        Assert.Equal(10, outage.CountedMs(20_000, 10));
    }

    [Fact]
    public void with_the_bus_connected_and_no_outage_the_publisher_counts()
    {
        var outage = BrokerOutage.None.Next(connected: true, publisherTrailingMs: 20_000, Options, Now);
        Assert.False(outage.ExcusesPublisher);
        Assert.Equal(20_000, outage.CountedMs(20_000, 10));
    }

    [Fact]
    public void after_the_outage_the_publisher_is_excused_until_it_has_caught_up()
    {
        var outage = BrokerOutage.None.Next(false, 0, Options, Now).Next(true, 20_000, Options, Now.AddSeconds(20));
        Assert.True(outage.ExcusesPublisher);
        outage = outage.Next(true, 400, Options, Now.AddSeconds(21));
        Assert.False(outage.ExcusesPublisher);
    }

    [Fact]
    public void a_publisher_that_never_catches_up_counts_again_after_the_recovery_bound()
    {
        var outage = BrokerOutage.None.Next(false, 0, Options, Now).Next(true, 20_000, Options, Now.AddSeconds(1));
        Assert.True(outage.Next(true, 20_000, Options, Now.AddSeconds(30)).ExcusesPublisher);
        Assert.False(outage.Next(true, 20_000, Options, Now.AddSeconds(31)).ExcusesPublisher);
    }
}
