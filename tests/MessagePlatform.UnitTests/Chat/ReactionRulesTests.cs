using MessagePlatform.Domain;
using static MessagePlatform.UnitTests.Chat.ChatSessions;

namespace MessagePlatform.UnitTests.Chat;

public sealed class ReactionRulesTests
{
    private static readonly ReactionTarget Bare = new(MsgId: 7, Seq: 3, Retracted: false, OnMessage: [], ByUser: []);

    private static MessageReaction React(string reaction, string by = "b") => new("g", 7, reaction, by);

    [Fact]
    public void a_member_adds_a_reaction_and_adding_it_again_is_a_no_op()
    {
        var added = Assert.IsType<ReactionAdded>(Assert.Single(ReactionRules.Add(Group(), Bare, React("👍"), SentAt).Events));
        Assert.Equal((7L, 3L, "👍", "b", SentAt), (added.MsgId, added.Seq, added.Reaction, added.By, added.At));
        var already = Bare with { OnMessage = ["👍"], ByUser = ["👍"] };
        Assert.Same(Decision.Nothing, ReactionRules.Add(Group(), already, React("👍"), SentAt));
    }

    [Fact]
    public void removing_takes_the_user_s_reaction_away_and_removing_an_absent_one_is_a_no_op()
    {
        var mine = Bare with { OnMessage = ["👍"], ByUser = ["👍"] };
        var removed = Assert.IsType<ReactionRemoved>(Assert.Single(ReactionRules.Remove(Group(), mine, React("👍"), SentAt).Events));
        Assert.Equal((7L, 3L, "👍", "b"), (removed.MsgId, removed.Seq, removed.Reaction, removed.By));
        // Someone else's 👍 is on the message, not this user's: nothing to remove.
        Assert.Same(Decision.Nothing, ReactionRules.Remove(Group(), Bare with { OnMessage = ["👍"] }, React("👍"), SentAt));
    }

    [Fact]
    public void a_retracted_message_takes_no_reactions_either_way()
    {
        var retracted = Bare with { Retracted = true, OnMessage = ["👍"], ByUser = ["👍"] };
        Assert.Equal(RejectionKind.Conflict, ReactionRules.Add(Group(), retracted, React("❤"), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, ReactionRules.Remove(Group(), retracted, React("👍"), SentAt).Rejection?.Kind);
    }

    [Fact]
    public void a_user_puts_at_most_twenty_reactions_on_one_message()
    {
        var nineteen = Enumerable.Range(0, 19).Select(i => $"r{i}").ToArray();
        Assert.Single(ReactionRules.Add(Group(), Bare with { OnMessage = nineteen, ByUser = nineteen }, React("r19"), SentAt).Events);
        string[] twenty = [.. nineteen, "r19"];
        Assert.Equal(RejectionKind.Conflict,
            ReactionRules.Add(Group(), Bare with { OnMessage = twenty, ByUser = twenty }, React("r20"), SentAt).Rejection?.Kind);
    }

    [Fact]
    public void a_message_carries_at_most_fifty_different_reactions_but_more_users_may_join_one()
    {
        var fortyNine = Enumerable.Range(0, 49).Select(i => $"r{i}").ToArray();
        Assert.Single(ReactionRules.Add(Group(), Bare with { OnMessage = fortyNine }, React("new"), SentAt).Events);
        string[] fifty = [.. fortyNine, "r49"];
        Assert.Equal(RejectionKind.Conflict, ReactionRules.Add(Group(), Bare with { OnMessage = fifty }, React("new"), SentAt).Rejection?.Kind);
        Assert.Single(ReactionRules.Add(Group(), Bare with { OnMessage = fifty }, React("r7"), SentAt).Events);
    }

    [Theory]
    [InlineData("👍")]
    [InlineData("👍🏽")]
    [InlineData("👨‍👩‍👧")]
    [InlineData("+1")]
    [InlineData("thumbs_up")]
    [InlineData("é")]
    public void emoji_and_short_names_are_reactions(string reaction) => Assert.True(ReactionRules.IsReaction(reaction));

    [Fact]
    public void a_reaction_is_counted_in_text_elements_up_to_thirty_two()
    {
        // 32 family emoji are 32 text elements but 256 UTF-16 code units: the code-unit cap refuses them.
        Assert.True(ReactionRules.IsReaction(new string('x', 32)));
        Assert.False(ReactionRules.IsReaction(new string('x', 33)));
        Assert.True(ReactionRules.IsReaction(string.Concat(Enumerable.Repeat("👍", 32))));
        Assert.False(ReactionRules.IsReaction(string.Concat(Enumerable.Repeat("👍", 33))));
        Assert.False(ReactionRules.IsReaction(string.Concat(Enumerable.Repeat("👨‍👩‍👧", 32))));
        Assert.False(ReactionRules.IsReaction("e" + new string('\u0301', 200)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("👍 ")]
    [InlineData("a\tb")]
    [InlineData("nul\0")]
    [InlineData("bell\u0007")]
    [InlineData("e\u0301")]
    public void empty_spaced_control_unpaired_or_unnormalized_text_is_no_reaction(string reaction)
    {
        Assert.False(ReactionRules.IsReaction(reaction));
        Assert.Equal(RejectionKind.Invalid, ReactionRules.Add(Group(), Bare, React(reaction), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.Invalid, ReactionRules.Remove(Group(), Bare, React(reaction), SentAt).Rejection?.Kind);
    }

    [Fact]
    public void an_unpaired_surrogate_is_no_reaction()
    {
        // Built at run time: an attribute's string cannot carry a lone surrogate (metadata stores it as U+FFFD).
        foreach (var reaction in new[] { "half" + '\ud83d', '\ude00' + "x", "👍"[..1] })
        {
            Assert.False(ReactionRules.IsReaction(reaction));
            Assert.Equal(RejectionKind.Invalid, ReactionRules.Add(Group(), Bare, React(reaction), SentAt).Rejection?.Kind);
        }
    }

    [Fact]
    public void strangers_are_forbidden_in_a_group_but_react_in_a_room()
    {
        Assert.Equal(RejectionKind.Forbidden, ReactionRules.Add(Group(), Bare, React("👍", by: "x"), SentAt).Rejection?.Kind);
        Assert.Single(ReactionRules.Add(Room(), Bare, React("👍", by: "x"), SentAt).Events);
    }

    [Fact]
    public void an_unknown_session_or_message_is_not_found_and_a_closed_session_a_conflict()
    {
        Assert.Equal(RejectionKind.NotFound, ReactionRules.Add(null, Bare, React("👍"), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, ReactionRules.Add(Group(), null, React("👍"), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, ReactionRules.Remove(Group(), null, React("👍"), SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, ReactionRules.Add(Closed(Group()), Bare, React("👍"), SentAt).Rejection?.Kind);
    }
}
