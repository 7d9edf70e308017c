using System.Text.Json;
using MessagePlatform.Api.Messages;
using MessagePlatform.Domain;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>What a client publishes to `send/{sessionId}`: the WebSocket `send` frame without its type and session.</summary>
public sealed record MqttSendPayload(
    string? ClientMsgId, string? MsgType, JsonElement? Body, string? Priority, string? ReplyTo = null, IReadOnlyList<string?>? Mentions = null);

/// <summary>
/// A client's PUBLISH. Only `send/{sessionId}` and `typing/{sessionId}` are accepted; a send goes through the one send path
/// as the connected user. MQTTnet sends the PUBACK only after this handler returns, so a QoS 1
/// publisher is acked once the message is durable; a refusal is also told on `single/{userId}`
/// as the WebSocket gateway's `error` frame (MQTT 3.1.1 PUBACKs carry no reason).
/// </summary>
public sealed class MqttSends(Sending sending, Typing.TypingSignals typing, ILogger<MqttSends> log)
{
    public async Task PublishedAsync(MqttClientLink link, InterceptingPublishEventArgs e)
    {
        // Never routed to other MQTT clients: pushes come from the stored events, per tenant.
        e.ProcessPublish = false;
        var topic = MqttTopic.Parse(e.ApplicationMessage.Topic);
        if (topic.Kind == TopicKind.Typing)
        {
            // Any payload: the topic says it all. Members (any user in a room) only, like group/ subscriptions.
            if (await typing.SignalAsync(link.User.TenantId, topic.Value, link.User.UserId!, e.CancellationToken) is TypingVerdict.Refused(var refused))
                Refuse(link, e, null, Platform.Problems.StatusOf(refused.Kind), refused.Title,
                    refused.Kind == RejectionKind.NotFound ? MqttPubAckReasonCode.TopicNameInvalid : MqttPubAckReasonCode.NotAuthorized, refused.Detail);
            return;
        }
        if (topic.Kind != TopicKind.Send)
        {
            Refuse(link, e, null, StatusCodes.Status403Forbidden, "Clients publish only to send/{sessionId} and typing/{sessionId}",
                MqttPubAckReasonCode.NotAuthorized);
            return;
        }
        MqttSendPayload? payload;
        try
        {
            var reader = new Utf8JsonReader(e.ApplicationMessage.Payload);
            payload = JsonSerializer.Deserialize<MqttSendPayload>(ref reader, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            payload = null;
        }
        if (payload is null)
        {
            Refuse(link, e, null, StatusCodes.Status400BadRequest, "The payload is not a JSON send", MqttPubAckReasonCode.PayloadFormatInvalid);
            return;
        }

        var outcome = await sending.SendAsync(link.User, topic.Value,
            new SendMessageRequest(null, payload.ClientMsgId, payload.MsgType, payload.Body, payload.Priority, payload.ReplyTo, payload.Mentions),
            e.CancellationToken);
        // The payload on single/{userId} is the WebSocket gateway's answer, word for word.
        link.Connection.Send(Gateway.ClientFrames.Answer(outcome, payload.ClientMsgId));
        if (SendProblem.Of(outcome) is not { } problem) return;
        e.Response.ReasonCode = ReasonOf(outcome);
        e.Response.ReasonString = problem.Title;
        log.LogInformation("MQTT send of {UserId} of {TenantId} to {SessionId} refused with {Status}",
            link.User.UserId, link.User.TenantId, topic.Value, problem.Status);
    }

    /// <summary>Over the connection's frame rate (`Realtime:FramesPerSecond`): refused unread, this client alone.</summary>
    public Task RefuseOverRate(MqttClientLink link, InterceptingPublishEventArgs e)
    {
        e.ProcessPublish = false;
        Refuse(link, e, null, StatusCodes.Status429TooManyRequests, "Too many frames", MqttPubAckReasonCode.QuotaExceeded,
            "This connection publishes faster than its frame rate allows.", 1);
        return Task.CompletedTask;
    }

    private static void Refuse(MqttClientLink link, InterceptingPublishEventArgs e, string? clientMsgId, int status, string title,
        MqttPubAckReasonCode reason, string? detail = null, double? retryAfterSeconds = null)
    {
        e.Response.ReasonCode = reason;
        e.Response.ReasonString = title;
        link.Connection.Send(new Gateway.SendErrorFrame(clientMsgId, status, title, detail, retryAfterSeconds));
    }

    /// <summary>The MQTT door's PUBACK reason for a send (MQTT 5 clients read it; 3.1.1 PUBACKs carry none).</summary>
    public static MqttPubAckReasonCode ReasonOf(SendOutcome outcome) => outcome switch
    {
        SendOutcome.Stored or SendOutcome.Repeated => MqttPubAckReasonCode.Success,
        SendOutcome.Invalid or SendOutcome.TooLarge => MqttPubAckReasonCode.PayloadFormatInvalid,
        SendOutcome.Forbidden => MqttPubAckReasonCode.NotAuthorized,
        SendOutcome.Rejected(var rejection) => rejection.Kind switch
        {
            RejectionKind.NotFound => MqttPubAckReasonCode.TopicNameInvalid,
            RejectionKind.Forbidden => MqttPubAckReasonCode.NotAuthorized,
            RejectionKind.Invalid or RejectionKind.TooLarge => MqttPubAckReasonCode.PayloadFormatInvalid,
            _ => MqttPubAckReasonCode.ImplementationSpecificError,
        },
        // Told to slow down: the client's quota is what it is over, for now.
        SendOutcome.Throttled or SendOutcome.Overloaded => MqttPubAckReasonCode.QuotaExceeded,
        SendOutcome.ModerationDenied or SendOutcome.ModerationUnavailable or SendOutcome.Busy
            or SendOutcome.StoreUnavailable => MqttPubAckReasonCode.ImplementationSpecificError,
        // The union is closed (private constructor); SendOutcomeDoorTests fails when a case is missing here.
        _ => throw new System.Diagnostics.UnreachableException($"No PUBACK reason for send outcome {outcome.GetType().Name}"),
    };
}
