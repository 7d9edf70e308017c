using System.Text.Json;
using MessagePlatform.Api.Messages;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.Api.Realtime.Mqtt;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http;
using MQTTnet.Protocol;

namespace MessagePlatform.IntegrationTests.Messages;

/// <summary>
/// Every door answers every send outcome. Pure (no servers): the cases are found by reflection, so
/// a case added to <see cref="SendOutcome"/> fails here until it has a sample and each door maps it.
/// </summary>
public sealed class SendOutcomeDoorTests
{
    private static readonly SentMessage Sent = new("42", 7, "g", DateTimeOffset.UnixEpoch);

    private static readonly SendOutcome[] Samples =
    [
        new SendOutcome.Stored(Sent),
        new SendOutcome.Repeated(Sent),
        new SendOutcome.Invalid(new Dictionary<string, string[]> { ["type"] = ["is required"] }),
        new SendOutcome.TooLarge(),
        new SendOutcome.Forbidden("not you"),
        new SendOutcome.Rejected(Rejection.NotFound("no such session")),
        new SendOutcome.Throttled(TimeSpan.FromMilliseconds(300)),
        new SendOutcome.ModerationDenied("no"),
        new SendOutcome.ModerationUnavailable("hook timed out"),
        new SendOutcome.Busy(TimeSpan.FromSeconds(1), "lanes full"),
        new SendOutcome.Overloaded(TimeSpan.FromSeconds(2), "pushes behind"),
        new SendOutcome.StoreUnavailable(TimeSpan.FromSeconds(2)),
    ];

    public static TheoryData<SendOutcome> Outcomes() => new(Samples);

    [Fact]
    public void every_case_of_the_send_outcome_has_a_sample_here()
    {
        var cases = typeof(SendOutcome).GetNestedTypes().Where(t => t.IsSubclassOf(typeof(SendOutcome))).Select(t => t.Name).Order();
        Assert.Equal(cases, Samples.Select(s => s.GetType().Name).Order());
    }

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void the_rest_door_answers_with_the_problem_status_and_retry_after_when_waiting_helps(SendOutcome outcome)
    {
        var http = new DefaultHttpContext();
        var answer = (IStatusCodeHttpResult)MessagesApi.Answer(outcome, "g", http).Result;
        var problem = SendProblem.Of(outcome);
        var expected = outcome switch
        {
            SendOutcome.Stored => StatusCodes.Status201Created,
            SendOutcome.Repeated => StatusCodes.Status200OK,
            _ => problem!.Status,
        };
        Assert.Equal(expected, answer.StatusCode);
        Assert.Equal(problem?.RetryAfter is { } wait ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString() : "",
            http.Response.Headers.RetryAfter.ToString());
    }

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void the_realtime_doors_answer_sent_or_an_error_frame_with_the_rest_status(SendOutcome outcome)
    {
        var frame = JsonDocument.Parse(OutboundFrame.Of(ClientFrames.Answer(outcome, "c-1")).Bytes).RootElement;
        Assert.Equal("c-1", frame.GetProperty("clientMsgId").GetString());
        if (SendProblem.Of(outcome) is { } problem)
        {
            Assert.Equal("error", frame.GetProperty("type").GetString());
            Assert.Equal(problem.Status, frame.GetProperty("status").GetInt32());
            Assert.Equal(problem.Title, frame.GetProperty("title").GetString());
            Assert.Equal(problem.RetryAfter?.TotalSeconds, frame.GetProperty("retryAfterSeconds") is { ValueKind: JsonValueKind.Number } s ? s.GetDouble() : null);
        }
        else
        {
            Assert.Equal(("sent", "42", 7), (frame.GetProperty("type").GetString(), frame.GetProperty("msgId").GetString(), frame.GetProperty("seq").GetInt64()));
        }
    }

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void the_mqtt_door_acks_only_what_was_stored(SendOutcome outcome)
    {
        var reason = MqttSends.ReasonOf(outcome);
        Assert.Equal(SendProblem.Of(outcome) is null, reason == MqttPubAckReasonCode.Success);
    }

    [Theory]
    [InlineData(400, "low", null)]
    [InlineData(600, "normal", null)]
    [InlineData(600, "high", null)]
    [InlineData(600, "low", "no low-priority sends")]
    [InlineData(1_100, "normal", "no sends")]
    [InlineData(1_100, "high", "no sends")]
    public void intake_sheds_low_priority_first_then_every_send(long trailingMs, string priority, string? sheds) =>
        Assert.Equal(sheds, PushBacklog.Sheds(new IntakeOptions(), trailingMs, priority));

    [Fact]
    public void intake_turned_off_sheds_nothing() =>
        Assert.Null(PushBacklog.Sheds(new IntakeOptions { Enabled = false }, 60_000, "low"));
}
