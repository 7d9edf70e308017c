using System.ComponentModel.DataAnnotations;

namespace MessagePlatform.Projections.UserChain;

/// <summary>
/// Which sessions' read marks become `read` sync items (`ReadItems:MaxMembers`). A mark is one chain
/// row per member, written in the daemon's transaction: in a 500-member group one mark is 500 rows,
/// and every member marking read is 250,000. So marks become items in c2c sessions always and in
/// write-diffusion groups of at most MaxMembers current members (0: c2c only); never in read-diffusion
/// groups or rooms. The frames follow the same bound at fan-out (Realtime:ReactionCountsAboveMembers).
/// </summary>
public sealed class ReadItemLimits
{
    public const string Section = "ReadItems";

    [Range(0, 100_000)]
    public int MaxMembers { get; init; } = 50;

    public ReadItemLimits Validated() =>
        MaxMembers is < 0 or > 100_000 ? throw new InvalidOperationException($"{Section}:MaxMembers must be 0 to 100000.") : this;
}
