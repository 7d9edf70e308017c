using System.ComponentModel.DataAnnotations;

namespace MessagePlatform.Api.Platform;

/// <summary>`Node:*`: how a node claims its MP_NODE_ID at start.</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>
    /// How long a node waits for its id to come free before it refuses to start: long enough for a
    /// node killed a moment ago to lose its claim, short enough that a real clash is reported at once.
    /// </summary>
    [Range(0, 300)]
    public int ClaimWaitSeconds { get; set; } = 10;
}
