using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Messages;

/// <summary>
/// Events and documents stored before v1.1's fields still read, through the serializer Marten is
/// configured with (the host leaves Marten's System.Text.Json default as it is, so a fresh StoreOptions has it).
/// </summary>
public sealed class StoredShapesTests
{
    private static readonly ISerializer Stored = new StoreOptions().Serializer();
    private static readonly DateTimeOffset At = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Writes <paramref name="value"/> as Marten would, then leaves out the fields older versions did not have.</summary>
    private static T ReadWithout<T>(object value, params string[] fields)
    {
        var json = JsonNode.Parse(Stored.ToJson(value))!.AsObject();
        foreach (var field in fields)
        {
            var key = json.Select(p => p.Key).Single(k => string.Equals(k, field, StringComparison.OrdinalIgnoreCase));
            json.Remove(key);
        }
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString()));
        return Stored.FromJson<T>(stream);
    }

    private static T RoundTrip<T>(object value)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Stored.ToJson(value)));
        return Stored.FromJson<T>(stream);
    }

    private static MessageSent Sent(long? replyTo = null, IReadOnlyList<string>? mentions = null) =>
        new(42, "a", "c1", "text", JsonDocument.Parse("""{"text":"hi"}""").RootElement, "normal", At, replyTo, mentions);

    [Fact]
    public void a_message_sent_stored_before_replies_and_mentions_reads_without_them()
    {
        var old = ReadWithout<MessageSent>(Sent(replyTo: 7, mentions: ["b"]), "ReplyTo", "Mentions");
        Assert.Equal((42L, "a", "c1", "text", "normal", At), (old.MsgId, old.From, old.ClientMsgId, old.Type, old.Priority, old.SentAt));
        Assert.Equal("hi", old.Body.GetProperty("text").GetString());
        Assert.Null(old.ReplyTo);
        Assert.Null(old.Mentions);
    }

    [Fact]
    public void a_message_sent_keeps_its_reply_and_mentions()
    {
        var sent = RoundTrip<MessageSent>(Sent(replyTo: 7, mentions: ["b", "c"]));
        Assert.Equal(7L, sent.ReplyTo);
        Assert.Equal(["b", "c"], sent.Mentions!);
    }

    [Fact]
    public void a_policy_stored_before_the_edit_window_reads_as_one_day()
    {
        var old = ReadWithout<SessionPolicy>(new SessionPolicy("forever", "keep", 120, "all", EditWindowSeconds: 60), "EditWindowSeconds");
        Assert.Equal(new SessionPolicy("forever", "keep", 120, "all", 86_400), old);
        Assert.Equal(60, RoundTrip<SessionPolicy>(new SessionPolicy("forever", "keep", 120, EditWindowSeconds: 60)).EditWindowSeconds);
    }

    [Fact]
    public void a_session_stored_before_pins_reads_with_none_and_keeps_them_once_pinned()
    {
        var session = Session.Open(new SessionOpened("g", SessionType.Group, ["a", "b"], new SessionPolicy("forever", "keep", 120), Diffusion.Write, At))
            .Evolve(new MessagePinned(7, 3, "a", At));
        Assert.Empty(ReadWithout<Session>(session, "PinnedMsgIds").Pins);
        Assert.Equal([7L], RoundTrip<Session>(session).Pins);
    }

    [Fact]
    public void the_chat_events_read_back_as_written()
    {
        var body = JsonDocument.Parse("""{"text":"hello"}""").RootElement;
        object[] events =
        [
            new MessageEdited(7, 3, "a", body, false, At), new ReactionAdded(7, 3, "👍", "b", At),
            new ReactionRemoved(7, 3, "👍", "b", At), new MessagePinned(7, 3, "a", At), new MessageUnpinned(7, "a", At),
            new ConversationRead("a", 9, At), new ConversationSettingsChanged("g", true, null, false, At),
        ];
        foreach (var e in events)
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Stored.ToJson(e)));
            var back = Stored.FromJson(e.GetType(), stream);
            Assert.Equal(Stored.ToJson(e), Stored.ToJson(back));
        }
    }
}
