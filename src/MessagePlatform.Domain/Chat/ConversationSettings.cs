namespace MessagePlatform.Domain;

/// <summary>One user's own view of one conversation: pinned ones list first, muted ones do not notify, hidden ones are left out.</summary>
public sealed record ConversationSettings(bool Pinned, bool Muted, bool Hidden)
{
    public static readonly ConversationSettings Default = new(false, false, false);

    public ConversationSettings Evolve(ConversationSettingsChanged e) =>
        new(e.Pinned ?? Pinned, e.Muted ?? Muted, e.Hidden ?? Hidden);
}

/// <summary>A settings change; a null setting is left as it is.</summary>
public sealed record ChangeConversationSettings(string UserId, string SessionId, bool? Pinned, bool? Muted, bool? Hidden);

/// <summary>Pure rules of conversation settings, whose events go to the user's own stream.</summary>
public static class ConversationSettingsRules
{
    /// <summary>The stream of a user's conversation settings: '$' never appears in a session id, so the keys cannot meet.</summary>
    public static string StreamOf(string userId) => $"$conversations:{userId}";

    /// <summary>
    /// <paramref name="current"/> is what the user's conversation list shows now (a hidden conversation a
    /// newer message brought back is not hidden), or null when the user has no such conversation. The event
    /// names only what changes; nothing changing is a no-op.
    /// </summary>
    public static Decision Decide(ConversationSettings? current, ChangeConversationSettings command, DateTimeOffset now)
    {
        if (current is null)
            return Decision.Refuse(Rejection.NotFound($"'{command.UserId}' has no conversation '{command.SessionId}'."));
        bool? Changed(bool? wanted, bool was) => wanted is { } value && value != was ? value : null;
        var (pinned, muted, hidden) = (Changed(command.Pinned, current.Pinned), Changed(command.Muted, current.Muted), Changed(command.Hidden, current.Hidden));
        return pinned is null && muted is null && hidden is null
            ? Decision.Nothing
            : Decision.Append(new ConversationSettingsChanged(command.SessionId, pinned, muted, hidden, now));
    }
}
