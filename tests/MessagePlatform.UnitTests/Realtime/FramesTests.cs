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
}
