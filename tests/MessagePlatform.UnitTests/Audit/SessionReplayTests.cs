using System.Text.Json;
using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Audit;

public sealed class SessionReplayTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly SessionPolicy Policy = new("forever", "keep", 120);

    private static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);

    private static JsonElement Body(string text) => JsonSerializer.SerializeToElement(new { text });

    private static RecordedEvent Opened(long version, int at, params string[] members) =>
        new(version, At(at), new SessionOpened("g", SessionType.Group, members, Policy, Diffusion.Write, At(at)));

    private static RecordedEvent Sent(long version, int at, long msgId, string from, string text) =>
        new(version, At(at), new MessageSent(msgId, from, $"c{msgId}", "text", Body(text), "normal", At(at)));

    private static readonly RecordedEvent[] Stream =
    [
        Opened(1, 0, "ann", "bob"),
        Sent(2, 10, 100, "ann", "hello"),
        new(3, At(20), new MembersJoined(["cid"], At(20))),
        Sent(4, 30, 101, "bob", "secret"),
        new(5, At(40), new MessageRetracted(101, 4, "bob", "typo", false, At(40))),
        new(6, At(50), new MemberLeft("ann", At(50))),
        new(7, At(60), new SessionClosed(At(60))),
    ];

    [Fact]
    public void before_the_session_was_opened_there_is_nothing_to_show() =>
        Assert.Null(SessionReplay.Replay(Stream, At(-1)));

    [Fact]
    public void a_time_between_events_shows_exactly_what_was_stored_by_then()
    {
        var state = SessionReplay.Replay(Stream, At(35))!;
        Assert.Equal(4, state.Version);
        Assert.Equal(["ann", "bob", "cid"], state.Session.Members);
        Assert.False(state.Session.Closed);
        Assert.Equal([2L, 4L], state.Messages.Select(m => m.Seq));
        Assert.All(state.Messages, m => Assert.False(m.Retracted));
        Assert.Null(state.CompactedThrough);
    }

    [Fact]
    public void a_retracted_message_keeps_its_original_body_and_says_who_retracted_it_and_why()
    {
        var state = SessionReplay.Replay(Stream, At(40))!;
        var retracted = state.Messages.Single(m => m.MsgId == 101);
        Assert.True(retracted.Retracted);
        Assert.Equal("secret", retracted.Body.GetProperty("text").GetString());
        Assert.Equal(new Retraction("bob", "typo", false, At(40)), retracted.Retraction);
    }

    [Fact]
    public void the_end_of_the_stream_shows_leaves_and_the_close()
    {
        var state = SessionReplay.Replay(Stream, At(3600))!;
        Assert.Equal(7, state.Version);
        Assert.Equal(["bob", "cid"], state.Session.Members);
        Assert.True(state.Session.Closed);
    }

    [Fact]
    public void an_event_exactly_at_as_of_is_included()
    {
        Assert.Equal(2, SessionReplay.Replay(Stream, At(10))!.Messages.Single().Seq);
    }

    [Fact]
    public void the_answer_is_a_prefix_of_the_stream_even_if_a_later_version_carries_an_earlier_time()
    {
        RecordedEvent[] skewed = [Opened(1, 0, "ann"), Sent(2, 20, 100, "ann", "late"), Sent(3, 15, 101, "ann", "skewed")];
        Assert.Empty(SessionReplay.Replay(skewed, At(16))!.Messages);
    }

    [Fact]
    public void a_compacted_head_is_the_starting_point_whatever_its_own_time_and_history_before_it_is_gone()
    {
        var snapshot = Session.Open(new SessionOpened("g", SessionType.Group, ["ann", "bob"], Policy, Diffusion.Write, At(0)))
            with { Members = ["ann", "bob", "cid"] };
        RecordedEvent[] compacted =
        [
            new(4, At(3600), new CompactedHead(snapshot)),
            new(5, At(40), new MessageRetracted(101, 4, "bob", null, false, At(40))),
            Sent(6, 45, 102, "cid", "after compaction"),
        ];

        var state = SessionReplay.Replay(compacted, At(50))!;
        Assert.Equal(4, state.CompactedThrough);
        Assert.Equal(6, state.Version);
        Assert.Equal(["ann", "bob", "cid"], state.Session.Members);
        Assert.Equal(102, Assert.Single(state.Messages).MsgId);
        Assert.Null(SessionReplay.Replay(compacted, At(-5)));
    }

    [Fact]
    public void events_the_replay_does_not_know_are_passed_over()
    {
        RecordedEvent[] stream = [Opened(1, 0, "ann"), new(2, At(1), new { Something = "else" }), Sent(3, 2, 100, "ann", "hi")];
        var state = SessionReplay.Replay(stream, At(5))!;
        Assert.Equal(3, state.Version);
        Assert.Single(state.Messages);
    }

    [Fact]
    public void an_edited_message_shows_the_body_it_had_at_the_replayed_time()
    {
        RecordedEvent[] stream =
        [
            Opened(1, 0, "ann"),
            Sent(2, 10, 100, "ann", "draft"),
            new(3, At(20), new MessageEdited(100, 2, "ann", Body("better"), false, At(20))),
            new(4, At(30), new MessageEdited(100, 2, "ann", Body("final"), false, At(30))),
        ];
        string Text(DateTimeOffset asOf) => SessionReplay.Replay(stream, asOf)!.Messages.Single().Body.GetProperty("text").GetString()!;

        Assert.Equal("draft", Text(At(15)));
        Assert.Equal("better", Text(At(25)));
        Assert.Equal("final", Text(At(35)));
        Assert.Null(SessionReplay.Replay(stream, At(15))!.Messages.Single().EditedAt);
        Assert.Equal(At(30), SessionReplay.Replay(stream, At(35))!.Messages.Single().EditedAt);
    }
}
