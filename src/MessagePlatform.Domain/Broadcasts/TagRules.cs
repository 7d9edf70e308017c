using System.Text.RegularExpressions;

namespace MessagePlatform.Domain;

/// <summary>Pure rules of user tags (the seeds' operations targeting: "vip", "female" …).</summary>
public static partial class TagRules
{
    public const int MaxTags = 100;

    /// <summary>A tag is part of an MQTT topic (business/tag_{tag}): no '/', '+' or '#'.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,64}\z")]
    public static partial Regex TagPattern();

    public const string TagRule = "^[A-Za-z0-9_.-]{1,64}$";

    /// <summary>The stream of a user's tags: '$' never appears in a session id, so the keys cannot meet.</summary>
    public static string StreamOf(string userId) => $"$tags:{userId}";

    public static Dictionary<string, string[]> Validate(IReadOnlyList<string>? tags)
    {
        var errors = new Dictionary<string, string[]>();
        if (tags is null) errors["tags"] = ["is required (an array, possibly empty)"];
        else if (tags.Count > MaxTags) errors["tags"] = [$"at most {MaxTags} tags"];
        else if (tags.Any(t => t is null || !TagPattern().IsMatch(t))) errors["tags"] = [$"each tag must match {TagRule}"];
        return errors;
    }

    /// <summary>Replaces the held tags with <paramref name="wanted"/>; no event when nothing changes.</summary>
    public static Decision Set(string userId, IReadOnlyCollection<string> held, IReadOnlyList<string> wanted, DateTimeOffset now)
    {
        var want = wanted.Distinct(StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        var added = want.Except(held, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var removed = held.Except(want, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return added.Length == 0 && removed.Length == 0
            ? Decision.Nothing
            : Decision.Append(new UserTagsChanged(userId, added, removed, now));
    }
}
