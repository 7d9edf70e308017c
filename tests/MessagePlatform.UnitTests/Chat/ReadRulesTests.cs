using MessagePlatform.Domain;
using static MessagePlatform.UnitTests.Chat.ChatSessions;

namespace MessagePlatform.UnitTests.Chat;

public sealed class ReadRulesTests
{
    private static Decision Read(long readSeq, long headSeq, long seq, string user = "a", Session? session = null) =>
        ReadRules.Decide(session ?? Group(), readSeq, headSeq, new MarkRead("g", user, seq), SentAt);

    [Fact]
    public void a_member_marks_read_forward()
    {
        var read = Assert.IsType<ConversationRead>(Assert.Single(Read(readSeq: 2, headSeq: 9, seq: 5).Events));
        Assert.Equal(("a", 5L, SentAt), (read.UserId, read.Seq, read.At));
    }

    [Fact]
    public void the_same_or_a_lower_seq_is_a_no_op()
    {
        Assert.Same(Decision.Nothing, Read(readSeq: 5, headSeq: 9, seq: 5));
        Assert.Same(Decision.Nothing, Read(readSeq: 5, headSeq: 9, seq: 4));
    }

    [Fact]
    public void a_mark_past_the_head_stops_at_the_head()
    {
        Assert.Equal(9L, Assert.IsType<ConversationRead>(Assert.Single(Read(readSeq: 2, headSeq: 9, seq: 1000).Events)).Seq);
        Assert.Same(Decision.Nothing, Read(readSeq: 9, headSeq: 9, seq: 1000));
    }

    [Fact]
    public void a_closed_session_may_still_be_read() =>
        Assert.Single(Read(readSeq: 0, headSeq: 3, seq: 3, session: Closed(Group())).Events);

    [Fact]
    public void strangers_rooms_and_unknown_sessions_have_no_conversation()
    {
        Assert.Equal(RejectionKind.NotFound, Read(0, 9, 5, user: "x").Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, Read(0, 9, 5, user: "x", session: Room()).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, ReadRules.Decide(null, 0, 9, new MarkRead("g", "a", 5), SentAt).Rejection?.Kind);
        var left = Group().Evolve(new MemberLeft("a", SentAt));
        Assert.Equal(RejectionKind.NotFound, Read(0, 9, 5, session: left).Rejection?.Kind);
    }

    [Fact]
    public void a_negative_seq_is_invalid() =>
        Assert.Equal(RejectionKind.Invalid, Read(0, 9, -1).Rejection?.Kind);
}
