using System.Text.Json;
using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Messages;

public sealed class RepliesAndMentionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly JsonElement Hello = JsonDocument.Parse("""{"text":"hi"}""").RootElement;
    private static readonly MessageRef Original = new(MsgId: 7, Seq: 3, From: "b", Now, Retracted: false);

    private static Session Group(string historyOnJoin = SessionPolicy.FromJoin) => Session.Open(new SessionOpened(
        "g", SessionType.Group, ["a", "b"], new SessionPolicy("forever", "keep", 120, historyOnJoin), Diffusion.Write, Now));

    private static SendMessage Send(string from = "a", long? replyTo = null, IReadOnlyList<string>? mentions = null) =>
        new("g", from, "c1", "text", Hello, "normal", replyTo, mentions);

    [Fact]
    public void a_reply_to_a_message_of_the_session_is_stored_with_it()
    {
        var sent = Assert.IsType<MessageSent>(Assert.Single(SendRules.Decide(Group(), Send(replyTo: 7), 42, Now, Original).Events));
        Assert.Equal(7L, sent.ReplyTo);
        Assert.Single(SendRules.Decide(Group(), Send(replyTo: 7), 42, Now, Original with { Retracted = true }).Events);
    }

    [Fact]
    public void a_reply_to_no_message_of_the_session_is_invalid()
    {
        Assert.Equal(RejectionKind.Invalid, SendRules.Decide(Group(), Send(replyTo: 7), 42, Now, replyTarget: null).Rejection?.Kind);
        Assert.Equal(RejectionKind.Invalid, SendRules.Decide(Group(), Send(replyTo: 8), 42, Now, Original).Rejection?.Kind);
    }

    [Fact]
    public void a_new_member_cannot_reply_to_what_it_cannot_see()
    {
        var group = Group().Evolve(new MembersJoined(["c"], Now), version: 5);
        Assert.Equal(RejectionKind.Invalid, SendRules.Decide(group, Send("c", replyTo: 7), 42, Now, Original).Rejection?.Kind);
        Assert.Single(SendRules.Decide(group, Send("c", replyTo: 9), 42, Now, Original with { MsgId = 9, Seq = 6 }).Events);
        var all = Group(SessionPolicy.All).Evolve(new MembersJoined(["c"], Now), version: 5);
        Assert.Single(SendRules.Decide(all, Send("c", replyTo: 7), 42, Now, Original).Events);
    }

    [Fact]
    public void a_send_without_reply_or_mentions_stores_neither_as_before()
    {
        var sent = Assert.IsType<MessageSent>(Assert.Single(SendRules.Decide(Group(), Send(mentions: []), 42, Now).Events));
        Assert.Null(sent.ReplyTo);
        Assert.Null(sent.Mentions);
    }

    [Fact]
    public void members_or_all_are_mentioned()
    {
        var sent = Assert.IsType<MessageSent>(Assert.Single(SendRules.Decide(Group(), Send(mentions: ["b", "a"]), 42, Now).Events));
        Assert.Equal(["b", "a"], sent.Mentions!);
        Assert.Equal([Mentions.All], Assert.IsType<MessageSent>(Assert.Single(SendRules.Decide(Group(), Send(mentions: ["@all"]), 42, Now).Events)).Mentions!);
    }

    [Fact]
    public void a_stranger_is_not_mentioned_in_a_group_but_anyone_is_in_a_room()
    {
        Assert.Equal(RejectionKind.Invalid, SendRules.Decide(Group(), Send(mentions: ["b", "x"]), 42, Now).Rejection?.Kind);
        var room = Group() with { Type = SessionType.Room };
        Assert.Single(SendRules.Decide(room, Send(mentions: ["x"]), 42, Now).Events);
    }

    [Theory]
    [InlineData("@all", "b")]
    [InlineData("b", "b")]
    [InlineData("bad:user")]
    [InlineData("")]
    public void a_bad_list_is_refused_by_validation_and_by_the_decision(params string[] mentions)
    {
        var (errors, _) = SendRules.Validate("a", "c1", "text", Hello, null, mentions: mentions);
        Assert.Equal(["mentions"], errors.Keys);
        Assert.Equal(RejectionKind.Invalid, SendRules.Decide(Group(), Send(mentions: mentions), 42, Now).Rejection?.Kind);
    }

    [Fact]
    public void at_most_fifty_are_mentioned()
    {
        string[] Users(int n) => [.. Enumerable.Range(0, n).Select(i => $"u{i}")];
        Assert.Null(Mentions.ShapeError(Users(50)));
        Assert.NotNull(Mentions.ShapeError(Users(51)));
        Assert.NotNull(Mentions.ShapeError([null]));
    }

    [Fact]
    public void validation_wants_a_positive_reply_to()
    {
        Assert.Equal(["replyTo"], SendRules.Validate("a", "c1", "text", Hello, null, replyTo: 0).Errors.Keys);
        Assert.Empty(SendRules.Validate("a", "c1", "text", Hello, null, replyTo: 7).Errors);
    }

    [Fact]
    public void a_user_is_named_by_its_id_or_by_all()
    {
        Assert.True(Mentions.Names(["b"], "b"));
        Assert.True(Mentions.Names([Mentions.All], "b"));
        Assert.False(Mentions.Names(["a"], "b"));
        Assert.False(Mentions.Names(null, "b"));
    }
}
