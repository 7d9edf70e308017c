namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>The system clock, moved forward on demand: days pass for GC without a test waiting them out.</summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
