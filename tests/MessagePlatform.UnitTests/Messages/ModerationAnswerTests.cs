using System.Text;
using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Messages;

public sealed class ModerationAnswerTests
{
    private static ModerationAnswer Read(string answer) => ModerationAnswer.Read(Encoding.UTF8.GetBytes(answer));

    [Fact]
    public void the_three_documented_answers_are_read()
    {
        Assert.Equal(ModerationAction.Allow, Read("""{"action":"allow"}""").Action);
        var deny = Read("""{"action":"deny","reason":"a bad word"}""");
        Assert.Equal((ModerationAction.Deny, "a bad word"), (deny.Action, deny.Reason));
        Assert.Equal(ModerationAnswer.DefaultReason, Read("""{"action":"deny"}""").Reason);
        var modify = Read("""{"action":"modify","body":{"text":"***"}}""");
        Assert.Equal(ModerationAction.Modify, modify.Action);
        Assert.Equal("***", modify.Body!.Value.GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>nope</html>")]
    [InlineData("{\"action\":\"allow\"")]
    [InlineData("[\"allow\"]")]
    [InlineData("\"allow\"")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"action\":5}")]
    [InlineData("{\"action\":null}")]
    [InlineData("{\"action\":\"explode\"}")]
    [InlineData("{\"action\":\"modify\"}")]
    [InlineData("{\"action\":\"modify\",\"body\":null}")]
    [InlineData("{\"action\":\"deny\",\"reason\":7}")]
    public void any_other_answer_is_malformed(string answer)
    {
        var read = Read(answer);
        Assert.Equal(ModerationAction.Malformed, read.Action);
        Assert.False(string.IsNullOrEmpty(read.Why));
    }

    [Fact]
    public void a_long_reason_is_cut_at_a_whole_character()
    {
        var reason = new string('a', ModerationAnswer.MaxReasonLength - 1) + "😀" + "tail";
        var read = Read($$"""{"action":"deny","reason":"{{reason}}"}""");
        Assert.Equal(ModerationAnswer.MaxReasonLength - 1, read.Reason!.Length);
        Assert.False(char.IsHighSurrogate(read.Reason[^1]));
    }

    [Fact]
    public void a_deeply_nested_answer_is_malformed_not_a_crash() =>
        Assert.Equal(ModerationAction.Malformed, Read(new string('[', 10_000) + new string(']', 10_000)).Action);
}
