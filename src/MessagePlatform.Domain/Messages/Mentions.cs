namespace MessagePlatform.Domain;

/// <summary>Who a message mentions (@): members of its session by user id, or exactly ["@all"].</summary>
public static class Mentions
{
    public const string All = "@all";
    public const int MaxMentions = 50;

    /// <summary>What is wrong with the list itself, whatever the session; null if nothing. Null or empty mentions no one.</summary>
    public static string? ShapeError(IReadOnlyList<string?>? mentions)
    {
        if (mentions is null || mentions.Count == 0) return null;
        if (mentions.Count > MaxMentions) return $"at most {MaxMentions} user ids";
        if (mentions.Contains(All)) return mentions.Count == 1 ? null : $"\"{All}\" stands alone: [\"{All}\"]";
        if (mentions.Any(m => m is null || !SendRules.UserIdPattern().IsMatch(m)))
            return $"each must be a user id matching {SendRules.UserIdRule}, or the list exactly [\"{All}\"]";
        if (mentions.Distinct(StringComparer.Ordinal).Count() != mentions.Count) return "names a user twice";
        return null;
    }

    /// <summary>
    /// Why a send with these mentions is refused in <paramref name="session"/>: a bad list, or someone the
    /// session does not admit (in rooms, which admit anyone, any well-formed user id).
    /// </summary>
    public static Rejection? Refusal(Session session, IReadOnlyList<string>? mentions)
    {
        if (ShapeError(mentions) is { } error) return Rejection.Invalid($"mentions: {error}.");
        if (mentions is null || mentions is [All]) return null;
        var stranger = mentions.FirstOrDefault(m => !session.Admits(m));
        return stranger is null ? null : Rejection.Invalid($"mentions: '{stranger}' is not a member of this session.");
    }

    /// <summary>Whether a message with these mentions mentions <paramref name="userId"/> (for unread mentions).</summary>
    public static bool Names(IReadOnlyList<string>? mentions, string userId) =>
        mentions is not null && (mentions is [All] || mentions.Contains(userId, StringComparer.Ordinal));
}
