using System.ComponentModel.DataAnnotations;

namespace MessagePlatform.Api.Gc;

/// <summary>`Gc:*`: how often passes run, how long one session's step may wait for a lock, and when GC reads as degraded.</summary>
public sealed class GcOptions
{
    public const string Section = "Gc";

    /// <summary>Seconds between passes (a pass also runs at once when an erasure is requested).</summary>
    [Range(1, int.MaxValue)]
    public int IntervalSeconds { get; set; } = 60;

    /// <summary>Timelines are swept at most this often (and on every admin run).</summary>
    [Range(1, int.MaxValue)]
    public int TimelineSweepMinutes { get; set; } = 60;

    /// <summary>
    /// A session's step waits at most this long for a lock (its stream row held by a stuck transaction):
    /// then that session fails alone and is retried later, instead of the whole pass waiting.
    /// </summary>
    [Range(1, 600)]
    public int StepLockTimeoutSeconds { get; set; } = 5;

    /// <summary>A failed session is tried again after the interval, doubling per failure in a row, up to this.</summary>
    [Range(1, int.MaxValue)]
    public int MaxRetryDelayMinutes { get; set; } = 60;

    /// <summary>Readiness reads degraded after this many passes failed in a row, or a session failed this many times in a row.</summary>
    [Range(1, int.MaxValue)]
    public int DegradedAfterFailures { get; set; } = 3;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);
}
