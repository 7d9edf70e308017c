using System.ComponentModel.DataAnnotations;

namespace MessagePlatform.Projections.UserChain;

/// <summary>
/// How much history a join under `historyOnJoin: "all"` copies into the new members' chains
/// (`HistoryOnJoin:MaxMessages`, `HistoryOnJoin:MaxRowsPerJoin`). The copy runs in the daemon's
/// transaction (see docs/sync.md: a row added later, behind positions a cursor already passed,
/// would never be synced), so one join must stay small: each new member gets at most the newest
/// MaxMessages, and one join event at most MaxRowsPerJoin rows in all, shared among its users.
/// </summary>
public sealed class HistoryOnJoinLimits
{
    public const string Section = "HistoryOnJoin";

    /// <summary>One event's rows for one user are numbered within 2^16 positions.</summary>
    public const int MaxPerUser = (1 << ReadModels.PositionShift) - 1;

    [Range(0, MaxPerUser)]
    public int MaxMessages { get; init; } = ReadModels.MaxBackfill;

    [Range(0, 10_000_000)]
    public int MaxRowsPerJoin { get; init; } = 100_000;

    public HistoryOnJoinLimits Validated() =>
        MaxMessages is < 0 or > MaxPerUser
            ? throw new InvalidOperationException($"{Section}:MaxMessages must be 0 to {MaxPerUser}.")
            : MaxRowsPerJoin is < 0 or > 10_000_000
                ? throw new InvalidOperationException($"{Section}:MaxRowsPerJoin must be 0 to 10000000.")
                : this;
}
