using System.Text.RegularExpressions;

namespace MessagePlatform.Domain;

/// <summary>
/// How long a session's history is kept, how long a sender may recall or edit a message, and whether a
/// new member's sync starts at its joining ("fromJoin") or at the session's first message ("all").
/// Fields added later are trailing with defaults: a policy stored without them reads as the default.
/// </summary>
public sealed partial record SessionPolicy(
    string Retention, string OnClose, int RecallWindowSeconds, string HistoryOnJoin = "fromJoin",
    int EditWindowSeconds = SessionPolicy.DefaultEditWindowSeconds)
{
    public const string FromJoin = "fromJoin";
    public const string All = "all";

    /// <summary>One day (API.md "Everyday chat": edit).</summary>
    public const int DefaultEditWindowSeconds = 86_400;

    /// <summary>The longest recall or edit window: a year.</summary>
    public const int MaxWindowSeconds = 31_536_000;

    // \z, not $: "days:7\n" would match '$' and then parse as forever.
    [GeneratedRegex(@"^(forever|days:[1-9][0-9]{0,5}|last:[1-9][0-9]{0,8})\z")]
    private static partial Regex RetentionPattern();

    /// <summary>Whether <paramref name="retention"/> is 'forever', 'days:N' or 'last:N'.</summary>
    public static bool IsRetention(string retention) => RetentionPattern().IsMatch(retention);

    /// <summary>Fills what a request left out from the tenant's default and lists what is wrong.</summary>
    public static (SessionPolicy Policy, Dictionary<string, string[]> Errors) Merge(
        SessionPolicy defaults, string? retention, string? onClose, int? recallWindowSeconds, string? historyOnJoin = null,
        int? editWindowSeconds = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (retention is not null && !RetentionPattern().IsMatch(retention))
            errors["policy.retention"] = ["must be 'forever', 'days:N' or 'last:N' with N a positive integer"];
        if (onClose is not null && onClose is not ("keep" or "delete"))
            errors["policy.onClose"] = ["must be 'keep' or 'delete'"];
        if (recallWindowSeconds is < 0 or > MaxWindowSeconds)
            errors["policy.recallWindowSeconds"] = [$"must be between 0 and {MaxWindowSeconds}"];
        if (editWindowSeconds is < 0 or > MaxWindowSeconds)
            errors["policy.editWindowSeconds"] = [$"must be between 0 and {MaxWindowSeconds}"];
        if (historyOnJoin is not null && historyOnJoin is not (FromJoin or All))
            errors["policy.historyOnJoin"] = ["must be 'fromJoin' or 'all'"];
        var policy = new SessionPolicy(
            retention ?? defaults.Retention,
            onClose ?? defaults.OnClose,
            recallWindowSeconds ?? defaults.RecallWindowSeconds,
            historyOnJoin ?? defaults.HistoryOnJoin,
            editWindowSeconds ?? defaults.EditWindowSeconds);
        return (policy, errors);
    }
}
