using System.Text.Json;
using JasperFx.Events;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Contracts;
using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Realtime;

public sealed class RealtimeBatchesTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 4, 0, 0, TimeSpan.Zero);

    private static IEvent E<T>(string session, long version, T data) where T : notnull =>
        new Event<T>(data) { TenantId = "t", StreamKey = session, Version = version, Id = Guid.NewGuid(), Timestamp = At.AddMilliseconds(version) };

    private static MessageSent Sent(long msgId) => new(msgId, "ann", $"c{msgId}", "text", JsonSerializer.SerializeToElement("hi"), "normal", At);

    [Fact]
    public void a_page_becomes_one_batch_per_session_in_stream_order_with_its_membership_changes_and_one_message_per_broadcast()
    {
        var page = new[]
        {
            E("a", 1, new SessionOpened("a", SessionType.Group, ["ann", "bob"], new SessionPolicy("forever", "keep", 120), Diffusion.Write, At)),
            E("b", 7, Sent(70)),
            E("a", 2, Sent(20)),
            E("$broadcast", 1, new BroadcastSent(99, "b1", "text", JsonSerializer.SerializeToElement("all"), [], "normal", false, At)),
            E("a", 3, new MembersJoined(["carol"], At)),
            E("b", 8, new MessageRetracted(70, 7, "ann", null, false, At)),
            E("a", 4, new MemberLeft("bob", At)),
            E("a", 5, Sent(50)),
        };
        var (sessions, broadcasts) = RealtimeBatches.Of(page);

        Assert.Equal(["a", "b"], sessions.Select(s => s.Batch.SessionId));
        var a = sessions[0].Batch;
        Assert.Equal([typeof(MembersReset), typeof(MessageStored), typeof(MembersAdded), typeof(MemberRemoved), typeof(MessageStored)],
            a.Changes.Select(c => c.GetType()));
        Assert.Equal([1L, 2, 3, 4, 5], a.Changes.Select(c => c.Seq));
        Assert.Equal(At.AddMilliseconds(1), a.CommittedAt);
        Assert.Equal(page[0].Id, sessions[0].Id);
        Assert.Equal([typeof(MessageStored), typeof(RetractionStored)], sessions[1].Batch.Changes.Select(c => c.GetType()));
        var broadcast = Assert.Single(broadcasts);
        Assert.Equal("99", broadcast.Broadcast.MsgId);
    }

    private static IEvent Traced(IEvent e, string trace)
    {
        e.SetHeader(MessagePlatform.Api.Platform.Telemetry.TraceHeader, trace);
        return e;
    }

    [Fact]
    public void a_batch_follows_its_first_messages_trace_even_when_the_sessions_opening_shares_the_page()
    {
        const string opening = "00-11111111111111111111111111111111-1111111111111111-01";
        const string send = "00-22222222222222222222222222222222-2222222222222222-01";
        const string other = "00-33333333333333333333333333333333-3333333333333333-01";
        var page = new[]
        {
            Traced(E("a", 1, new SessionOpened("a", SessionType.Group, ["ann", "bob"], new SessionPolicy("forever", "keep", 120), Diffusion.Write, At)), opening),
            Traced(E("b", 1, Sent(10)), other),
            Traced(E("a", 2, Sent(20)), send),
            Traced(E("a", 3, Sent(30)), send),
        };

        // The send's trace leads, each other commit's is linked once, and another session's is no part of it.
        var traces = RealtimeBatches.TracesBySession(page);
        Assert.Equal([send, opening], traces[("t", "a")]);
        Assert.Equal([other], traces[("t", "b")]);
        Assert.Empty(traces.GetValueOrDefault(("other-tenant", "a"), []));
    }

    [Fact]
    public void a_batch_survives_the_bus_with_its_kinds_of_change()
    {
        SessionEventsPublished batch = new("t", "a", [new MembersAdded(3, ["carol"]), new MessageStored(4, "40", "ann", "text", "\"hi\"", "low", At)])
        {
            CommittedAt = At,
        };
        var json = JsonSerializer.Serialize(batch, JsonSerializerOptions.Web);
        var back = JsonSerializer.Deserialize<SessionEventsPublished>(json, JsonSerializerOptions.Web)!;
        Assert.Equal([typeof(MembersAdded), typeof(MessageStored)], back.Changes.Select(c => c.GetType()));
        Assert.Equal(json, JsonSerializer.Serialize(back, JsonSerializerOptions.Web));
        Assert.Equal(At, back.CommittedAt);
    }

    [Fact]
    public void chat_events_become_changes_in_stream_order_with_the_seq_of_the_message_they_are_about()
    {
        var page = new[]
        {
            E("a", 2, Sent(20) with { ReplyTo = 10, Mentions = ["bob"] }),
            E("a", 3, new MessageEdited(20, 2, "ann", JsonSerializer.SerializeToElement("hi!"), false, At)),
            E("a", 4, new ReactionAdded(20, 2, "👍", "bob", At)),
            E("a", 5, new ReactionRemoved(20, 2, "👍", "bob", At)),
            E("a", 6, new MessagePinned(20, 2, "ann", At)),
            E("a", 7, new MessageUnpinned(20, "ann", At)),
            E("a", 8, new ConversationRead("bob", 2, At)),
        };
        var changes = Assert.Single(RealtimeBatches.Of(page).Sessions).Batch.Changes;

        Assert.Equal([2L, 3, 4, 5, 6, 7, 8], changes.Select(c => c.Seq));
        var sent = Assert.IsType<MessageStored>(changes[0]);
        Assert.Equal("10", sent.ReplyTo);
        Assert.Equal(["bob"], sent.Mentions!);
        Assert.Equal(new EditStored(3, "20", 2, "ann", "\"hi!\"", At), changes[1]);
        Assert.Equal(new ReactionStored(4, "20", 2, "👍", "bob", true), changes[2]);
        Assert.False(Assert.IsType<ReactionStored>(changes[3]).Added);
        Assert.Equal(new PinStored(6, "20", "ann", At), changes[4]);
        Assert.Equal(new UnpinStored(7, "20", "ann"), changes[5]);
        Assert.Equal(new ReadStored(8, "bob", 2), changes[6]);
    }

    [Fact]
    public void a_message_published_before_replies_existed_still_reads_and_chat_pushes_survive_the_bus()
    {
        var old = """{"$change":"message","seq":4,"msgId":"40","from":"ann","type":"text","bodyJson":"\"hi\"","priority":"low","sentAt":"2026-12-02T04:00:00+00:00"}""";
        var stored = Assert.IsType<MessageStored>(JsonSerializer.Deserialize<SessionChange>(old, JsonSerializerOptions.Web));
        Assert.Null(stored.ReplyTo);
        Assert.Null(stored.Mentions);

        SessionPushes pushes = new(1, "t", "a", false, [new ChatPush(["bob"], new ReactionStored(5, "40", 4, "👍", "ann", true)),
            new ReactionCountsPush([], "40", 4, new Dictionary<string, long> { ["👍"] = 3 })]);
        var json = JsonSerializer.Serialize(pushes, JsonSerializerOptions.Web);
        var back = JsonSerializer.Deserialize<SessionPushes>(json, JsonSerializerOptions.Web)!;
        Assert.Equal(new ReactionStored(5, "40", 4, "👍", "ann", true), Assert.IsType<ChatPush>(back.Pushes[0]).Change);
        Assert.Equal(3, Assert.IsType<ReactionCountsPush>(back.Pushes[1]).Counts["👍"]);
    }
}
