using System.Text;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.Api.Realtime.Mqtt;

namespace MessagePlatform.UnitTests.Typing;

public sealed class TypingFrameTests
{
    [Fact]
    public void a_typing_frame_keeps_its_wire_shape_and_goes_at_most_once()
    {
        var frame = OutboundFrame.Of(new TypingFrame("g1", "ann"));
        Assert.Equal("""{"type":"typing","sessionId":"g1","userId":"ann"}""", Encoding.UTF8.GetString(frame.Bytes));
        Assert.True(frame.Frame.AtMostOnce);
        Assert.Null(frame.Frame.AckId);
    }

    [Theory]
    [InlineData("typing/c2c:ann:bob", TopicKind.Typing, "c2c:ann:bob")]
    [InlineData("typing/", TopicKind.Unknown, "")]
    [InlineData("typing/a/b", TopicKind.Unknown, "")]
    [InlineData("typing/+", TopicKind.Unknown, "")]
    public void the_typing_topic_names_one_session(string topic, TopicKind kind, string value) =>
        Assert.Equal(new MqttTopic(kind, value), MqttTopic.Parse(topic));
}
