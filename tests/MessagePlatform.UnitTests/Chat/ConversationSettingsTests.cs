using MessagePlatform.Domain;
using static MessagePlatform.UnitTests.Chat.ChatSessions;

namespace MessagePlatform.UnitTests.Chat;

public sealed class ConversationSettingsTests
{
    private static Decision Change(ConversationSettings? current, bool? pinned = null, bool? muted = null, bool? hidden = null) =>
        ConversationSettingsRules.Decide(current, new ChangeConversationSettings("a", "g", pinned, muted, hidden), SentAt);

    [Fact]
    public void the_event_names_only_what_changes()
    {
        var current = ConversationSettings.Default with { Muted = true };
        var changed = Assert.IsType<ConversationSettingsChanged>(Assert.Single(Change(current, pinned: true, muted: true).Events));
        Assert.Equal(("g", (bool?)true, (bool?)null, (bool?)null, SentAt), (changed.SessionId, changed.Pinned, changed.Muted, changed.Hidden, changed.At));
        Assert.Equal(new ConversationSettings(Pinned: true, Muted: true, Hidden: false), current.Evolve(changed));
    }

    [Fact]
    public void nothing_changing_is_a_no_op()
    {
        var current = new ConversationSettings(Pinned: true, Muted: false, Hidden: false);
        Assert.Same(Decision.Nothing, Change(current));
        Assert.Same(Decision.Nothing, Change(current, pinned: true, muted: false, hidden: false));
    }

    [Fact]
    public void each_setting_turns_on_and_off()
    {
        var on = new ConversationSettings(true, true, true);
        var off = Assert.IsType<ConversationSettingsChanged>(Assert.Single(Change(on, false, false, false).Events));
        Assert.Equal(ConversationSettings.Default, on.Evolve(off));
    }

    [Fact]
    public void no_conversation_is_not_found() =>
        Assert.Equal(RejectionKind.NotFound, Change(null, pinned: true).Rejection?.Kind);
}
