using System.ComponentModel.DataAnnotations;

namespace MessagePlatform.Api.EventStore;

/// <summary>Settings of the commit lanes (section `Lanes`).</summary>
public sealed class LaneOptions
{
    public const string Section = "Lanes";

    /// <summary>Commands one lane holds waiting; past it the node answers 503 with Retry-After instead of queueing without end.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Sessions whose state and version one lane remembers; the least recently used is forgotten first.</summary>
    [Range(1, 10_000_000)]
    public int SessionCacheCapacity { get; set; } = 50_000;
}

/// <summary>A lane's queue is full: the node takes no more commands for now. Answered 503 with Retry-After.</summary>
public sealed class LaneFullException() : Exception("The write lanes are full; retry shortly.")
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
}
