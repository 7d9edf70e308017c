using System.ComponentModel.DataAnnotations;

namespace MessagePlatform.Api.Platform;

/// <summary>`Node:*`: how a node claims its MP_NODE_ID at start, and how it drains when told to stop.</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>
    /// How long a node waits for its id to come free before it refuses to start: long enough for a
    /// node killed a moment ago to lose its claim, short enough that a real clash is reported at once.
    /// </summary>
    [Range(0, 300)]
    public int ClaimWaitSeconds { get; set; } = 10;

    /// <summary>
    /// After SIGTERM, how long new requests still get 503 with Connection: close before Kestrel stops
    /// listening: Kestrel closes kept-alive connections as it stops, and a request racing that close is
    /// a reset rather than an answer. A second is enough for a client in a send loop to be told.
    /// </summary>
    [Range(0, 30_000)]
    public int DrainGraceMilliseconds { get; set; } = 1_000;
}
