using System.Text.Json;
using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Messages;

public sealed class SendRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly JsonElement Hello = JsonDocument.Parse("""{"text":"hi"}""").RootElement;

    private static Session Group(params string[] members) => Session.Open(new SessionOpened(
        "g", SessionType.Group, members, new SessionPolicy("forever", "keep", 120), Diffusion.Write, Now));

    private static SendMessage Send(string from) => new("g", from, "c1", "text", Hello, "normal");

    [Fact]
    public void a_member_sends_into_an_open_group()
    {
        var decision = SendRules.Decide(Group("a", "b"), Send("a"), msgId: 42, Now);
        var sent = Assert.IsType<MessageSent>(Assert.Single(decision.Events));
        Assert.Null(decision.Rejection);
        Assert.Equal((42L, "a", "c1", "text", "normal", Now), (sent.MsgId, sent.From, sent.ClientMsgId, sent.Type, sent.Priority, sent.SentAt));
        Assert.Equal("hi", sent.Body.GetProperty("text").GetString());
    }

    [Fact]
    public void a_stranger_is_forbidden_in_a_group_but_welcome_in_a_room()
    {
        Assert.Equal(RejectionKind.Forbidden, SendRules.Decide(Group("a"), Send("x"), 1, Now).Rejection?.Kind);
        var room = Group() with { Type = SessionType.Room };
        Assert.Null(SendRules.Decide(room, Send("x"), 1, Now).Rejection);
    }

    [Fact]
    public void an_unknown_session_is_not_found_and_a_closed_one_is_a_conflict()
    {
        Assert.Equal(RejectionKind.NotFound, SendRules.Decide(null, Send("a"), 1, Now).Rejection?.Kind);
        var closed = Group("a").Evolve(new SessionClosed(Now));
        Assert.Equal(RejectionKind.Conflict, SendRules.Decide(closed, Send("a"), 1, Now).Rejection?.Kind);
    }

    [Fact]
    public void a_removed_member_can_no_longer_send()
    {
        var group = Group("a", "b").Evolve(new MemberLeft("b", Now));
        Assert.Equal(RejectionKind.Forbidden, SendRules.Decide(group, Send("b"), 1, Now).Rejection?.Kind);
    }

    [Fact]
    public void validation_names_every_bad_field()
    {
        var (errors, tooLarge) = SendRules.Validate("bad:user", "", "video", null, "urgent");
        Assert.Equal(["body", "clientMsgId", "from", "priority", "type"], errors.Keys.Order());
        Assert.False(tooLarge);
    }

    [Fact]
    public void a_body_is_measured_as_its_utf8_json_and_64_kib_is_the_limit()
    {
        JsonElement Body(int chars) => JsonDocument.Parse($"\"{new string('é', chars)}\"").RootElement;
        // 'é' is two UTF-8 bytes; the JSON string adds two quotes.
        Assert.False(SendRules.Validate("a", "c", "text", Body(32_767), null).TooLarge);
        Assert.True(SendRules.Validate("a", "c", "text", Body(32_768), null).TooLarge);
    }
}
