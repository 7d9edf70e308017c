using System.Text;
using System.Text.Json;
using MessagePlatform.Api.Realtime.Gateway;

namespace MessagePlatform.UnitTests.Realtime;

/// <summary>The frames' JSON is the public contract (API.md "Realtime"): field for field as clients have always seen it.</summary>
public sealed class FramesTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 4, 0, 0, TimeSpan.Zero);

    private static string Json(OutboundFrame frame) => Encoding.UTF8.GetString(frame.Bytes);

    [Fact]
    public void a_message_frame_keeps_its_wire_shape()
    {
        var frame = OutboundFrame.Of(new MessageFrame("g1", "42", 3, "ann", "text", JsonSerializer.SerializeToElement(new { text = "hi" }), "normal", At));
        Assert.Equal("""{"type":"message","sessionId":"g1","msgId":"42","seq":3,"from":"ann","msgType":"text","body":{"text":"hi"},"priority":"normal","sentAt":"2026-12-02T04:00:00+00:00"}""",
            Json(frame));
        Assert.Equal("42", frame.Frame.AckId);
        Assert.False(frame.Frame.AtMostOnce);
    }

    [Fact]
    public void retract_broadcast_and_sync_frames_keep_theirs()
    {
        Assert.Equal("""{"type":"retract","sessionId":"g1","msgId":"42"}""", Json(OutboundFrame.Of(new RetractFrame("g1", "42"))));
        var broadcast = OutboundFrame.Of(new BroadcastFrame("7", "text", JsonSerializer.SerializeToElement("sale"), ["vip"], "normal", true, At));
        Assert.Equal("""{"type":"broadcast","msgId":"7","msgType":"text","body":"sale","tags":["vip"],"priority":"normal","onlineOnly":true,"sentAt":"2026-12-02T04:00:00+00:00"}""",
            Json(broadcast));
        Assert.True(broadcast.Frame.AtMostOnce);
        Assert.Equal("""{"type":"sync"}""", Json(OutboundFrame.Sync));
        Assert.Null(OutboundFrame.Sync.Frame.AckId);
    }

    [Fact]
    public void replies_keep_the_shapes_the_doors_answered_with()
    {
        Assert.Equal("""{"type":"pong"}""", Json(OutboundFrame.Of(PongFrame.Instance)));
        Assert.Equal("""{"type":"sent","clientMsgId":"c-1","msgId":"42","seq":3}""", Json(OutboundFrame.Of(new SentFrame("c-1", "42", 3))));
        Assert.Equal("""{"type":"error","clientMsgId":"c-1","status":503,"title":"Busy","detail":"Later.","retryAfterSeconds":1}""",
            Json(OutboundFrame.Of(new SendErrorFrame("c-1", 503, "Busy", "Later.", 1))));
        Assert.Equal("""{"type":"error","status":429,"title":"Too many frames","detail":"Slower.","retryAfterSeconds":1}""",
            Json(OutboundFrame.Of(new SendErrorFrame(null, 429, "Too many frames", "Slower.", 1))));
        Assert.Equal("""{"type":"error","sessionId":"r1","status":404,"title":"No such room"}""",
            Json(OutboundFrame.Of(new FrameErrorFrame("r1", 404, "No such room"))));
        Assert.Equal("""{"type":"error","status":400,"title":"Unknown or malformed frame"}""",
            Json(OutboundFrame.Of(new FrameErrorFrame(null, 400, "Unknown or malformed frame"))));
        Assert.Null(OutboundFrame.Of(PongFrame.Instance).Frame.AckId);
    }

    [Fact]
    public void a_reply_with_mentions_adds_them_to_the_message_frame()
    {
        var frame = OutboundFrame.Of(new MessageFrame("g1", "43", 4, "ann", "text", JsonSerializer.SerializeToElement(new { text = "yes" }), "normal", At,
            "42", ["bob", "@all"]));
        Assert.Equal("""{"type":"message","sessionId":"g1","msgId":"43","seq":4,"from":"ann","msgType":"text","body":{"text":"yes"},"priority":"normal","sentAt":"2026-12-02T04:00:00+00:00","replyTo":"42","mentions":["bob","@all"]}""",
            Json(frame));
    }

    [Fact]
    public void chat_frames_have_the_shapes_clients_were_promised()
    {
        var edit = OutboundFrame.Of(new EditFrame("g1", "42", 3, JsonSerializer.SerializeToElement(new { text = "hi!" }), At, "ann"));
        Assert.Equal("""{"type":"edit","sessionId":"g1","msgId":"42","seq":3,"body":{"text":"hi!"},"editedAt":"2026-12-02T04:00:00+00:00","by":"ann"}""", Json(edit));
        Assert.Null(edit.Frame.AckId);
        Assert.False(edit.Frame.AtMostOnce);
        var reaction = OutboundFrame.Of(new ReactionFrame("g1", "42", 3, "👍", "bob", true));
        // Like every frame's text, a reaction outside ASCII is written as JSON escapes (the same string to any JSON reader).
        Assert.Equal("""{"type":"reaction","sessionId":"g1","msgId":"42","seq":3,"reaction":"\uD83D\uDC4D","by":"bob","added":true}""", Json(reaction));
        Assert.True(reaction.Frame.AtMostOnce);
        var counts = OutboundFrame.Of(new ReactionCountsFrame("r1", "42", 3, new Dictionary<string, long> { ["👍"] = 1200, ["Heart"] = 0 }));
        Assert.Equal("""{"type":"reaction","sessionId":"r1","msgId":"42","seq":3,"counts":{"\uD83D\uDC4D":1200,"Heart":0}}""", Json(counts));
        Assert.Equal("""{"type":"pin","sessionId":"g1","msgId":"42","by":"ann","pinnedAt":"2026-12-02T04:00:00+00:00"}""",
            Json(OutboundFrame.Of(new PinFrame("g1", "42", "ann", At))));
        Assert.Equal("""{"type":"unpin","sessionId":"g1","msgId":"42","by":"ann"}""", Json(OutboundFrame.Of(new UnpinFrame("g1", "42", "ann"))));
        var read = OutboundFrame.Of(new ReadFrame("g1", "bob", 7));
        Assert.Equal("""{"type":"read","sessionId":"g1","userId":"bob","seq":7}""", Json(read));
        Assert.Null(read.Frame.AckId);
    }
}
