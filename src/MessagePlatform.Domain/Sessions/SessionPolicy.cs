using System.Text.RegularExpressions;

namespace MessagePlatform.Domain;

/// <summary>
/// How long a session's history is kept, how long a sender may recall a message, and whether a new
/// member's sync starts at its joining ("fromJoin") or at the session's first message ("all").
/// </summary>
public sealed partial record SessionPolicy(string Retention, string OnClose, int RecallWindowSeconds, string HistoryOnJoin = "fromJoin")
{
    public const string FromJoin = "fromJoin";
    public const string All = "all";

    // \z, not $: "days:7\n" would match '$' and then parse as forever.
    [GeneratedRegex(@"^(forever|days:[1-9][0-9]{0,5}|last:[1-9][0-9]{0,8})\z")]
    private static partial Regex RetentionPattern();

    /// <summary>Whether <paramref name="retention"/> is 'forever', 'days:N' or 'last:N'.</summary>
    public static bool IsRetention(string retention) => RetentionPattern().IsMatch(retention);

    /// <summary>Fills what a request left out from the tenant's default and lists what is wrong.</summary>
    public static (SessionPolicy Policy, Dictionary<string, string[]> Errors) Merge(
        SessionPolicy defaults, string? retention, string? onClose, int? recallWindowSeconds, string? historyOnJoin = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (retention is not null && !RetentionPattern().IsMatch(retention))
            errors["policy.retention"] = ["must be 'forever', 'days:N' or 'last:N' with N a positive integer"];
        if (onClose is not null && onClose is not ("keep" or "delete"))
            errors["policy.onClose"] = ["must be 'keep' or 'delete'"];
        if (recallWindowSeconds is < 0 or > 31_536_000)
            errors["policy.recallWindowSeconds"] = ["must be between 0 and 31536000"];
        if (historyOnJoin is not null && historyOnJoin is not (FromJoin or All))
            errors["policy.historyOnJoin"] = ["must be 'fromJoin' or 'all'"];
        var policy = new SessionPolicy(
            retention ?? defaults.Retention,
            onClose ?? defaults.OnClose,
            recallWindowSeconds ?? defaults.RecallWindowSeconds,
            historyOnJoin ?? defaults.HistoryOnJoin);
        return (policy, errors);
    }
}
