using MessagePlatform.Domain;
using static MessagePlatform.UnitTests.Chat.ChatSessions;

namespace MessagePlatform.UnitTests.Chat;

public sealed class EditRulesTests
{
    private static readonly EditTarget Target = new(MsgId: 7, Seq: 3, From: "a", SentAt, Retracted: false, Json("""{"text":"helo"}"""));

    private static Decision Edit(string by, DateTimeOffset now, string body = """{"text":"hello"}""", bool asAdmin = false,
        EditTarget? target = null, Session? session = null) =>
        EditRules.Decide(session ?? Group(), target ?? Target, new EditMessage("g", 7, by, Json(body), asAdmin), now);

    [Fact]
    public void the_sender_edits_within_the_window_to_the_last_second()
    {
        var edited = Assert.IsType<MessageEdited>(Assert.Single(Edit("a", SentAt.AddSeconds(3600)).Events));
        Assert.Equal((7L, 3L, "a", false, SentAt.AddSeconds(3600)), (edited.MsgId, edited.Seq, edited.By, edited.AsAdmin, edited.EditedAt));
        Assert.Equal("hello", edited.Body.GetProperty("text").GetString());
    }

    [Fact]
    public void past_the_window_an_edit_is_a_conflict_for_the_sender_and_for_an_admin_too()
    {
        Assert.Equal(RejectionKind.Conflict, Edit("a", SentAt.AddSeconds(3601)).Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Edit("ops", SentAt.AddSeconds(3601), asAdmin: true).Rejection?.Kind);
    }

    [Fact]
    public void the_window_defaults_to_one_day()
    {
        var session = Session.Open(new SessionOpened("g", SessionType.Group, ["a", "b"], new SessionPolicy("forever", "keep", 120), Diffusion.Write, SentAt));
        Assert.Equal(86_400, session.Policy.EditWindowSeconds);
        Assert.Single(Edit("a", SentAt.AddDays(1), session: session).Events);
        Assert.Equal(RejectionKind.Conflict, Edit("a", SentAt.AddDays(1).AddSeconds(1), session: session).Rejection?.Kind);
    }

    [Fact]
    public void someone_else_is_forbidden_but_the_app_as_admin_may_edit()
    {
        Assert.Equal(RejectionKind.Forbidden, Edit("b", SentAt).Rejection?.Kind);
        var edited = Assert.IsType<MessageEdited>(Assert.Single(Edit("ops", SentAt, asAdmin: true).Events));
        Assert.True(edited.AsAdmin);
    }

    [Fact]
    public void a_sender_who_left_the_group_may_no_longer_edit()
    {
        var left = Group().Evolve(new MemberLeft("a", SentAt));
        Assert.Equal(RejectionKind.Forbidden, Edit("a", SentAt, session: left).Rejection?.Kind);
    }

    [Fact]
    public void a_retracted_message_is_never_edited_not_even_by_an_admin()
    {
        Assert.Equal(RejectionKind.Conflict, Edit("a", SentAt, target: Target with { Retracted = true }).Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, Edit("ops", SentAt, asAdmin: true, target: Target with { Retracted = true }).Rejection?.Kind);
    }

    [Fact]
    public void a_closed_session_takes_no_edits() =>
        Assert.Equal(RejectionKind.Conflict, Edit("a", SentAt, session: Closed(Group())).Rejection?.Kind);

    [Fact]
    public void the_latest_body_again_is_a_no_op_even_past_the_window_and_in_another_key_order()
    {
        var target = Target with { Body = Json("""{"text":"hello","n":1}""") };
        Assert.Same(Decision.Nothing, Edit("a", SentAt, """{"n":1,"text":"hello"}""", target: target));
        Assert.Same(Decision.Nothing, Edit("a", SentAt.AddDays(30), """{"text":"hello","n":1}""", target: target));
    }

    [Fact]
    public void a_body_is_checked_like_a_send_s()
    {
        Assert.Equal(RejectionKind.Invalid, Edit("a", SentAt, "\"nul \\u0000\"").Rejection?.Kind);
        Assert.Equal(RejectionKind.Invalid, Edit("a", SentAt, "\"half \\ud800\"").Rejection?.Kind);
        Assert.Equal(RejectionKind.Invalid, Edit("a", SentAt, "1e400").Rejection?.Kind);
        Assert.Equal(RejectionKind.TooLarge, Edit("a", SentAt, $"\"{new string('x', SendRules.MaxBodyBytes)}\"").Rejection?.Kind);
        Assert.Equal(RejectionKind.Invalid,
            EditRules.Decide(Group(), Target, new EditMessage("g", 7, "a", default, false), SentAt).Rejection?.Kind);
    }

    [Fact]
    public void an_unknown_session_or_message_is_not_found()
    {
        var command = new EditMessage("g", 7, "a", Json("1"), false);
        Assert.Equal(RejectionKind.NotFound, EditRules.Decide(null, Target, command, SentAt).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, EditRules.Decide(Group(), null, command, SentAt).Rejection?.Kind);
    }
}
