using System.Text.Json;
using MessagePlatform.Api.Messages;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>What a client publishes to `send/{sessionId}`: the WebSocket `send` frame without its type and session.</summary>
public sealed record MqttSendPayload(string? ClientMsgId, string? MsgType, JsonElement? Body, string? Priority);

/// <summary>
/// A client's PUBLISH. Only `send/{sessionId}` is accepted, and it goes through the one send path
/// as the connected user. MQTTnet sends the PUBACK only after this handler returns, so a QoS 1
/// publisher is acked once the message is durable; a refusal is also told on `single/{userId}`
/// as the WebSocket gateway's `error` frame (MQTT 3.1.1 PUBACKs carry no reason).
/// </summary>
public sealed class MqttSends(Sending sending, ILogger<MqttSends> log)
{
    public async Task PublishedAsync(MqttClientLink link, InterceptingPublishEventArgs e)
    {
        // Never routed to other MQTT clients: pushes come from the stored events, per tenant.
        e.ProcessPublish = false;
        var topic = MqttTopic.Parse(e.ApplicationMessage.Topic);
        if (topic.Kind != TopicKind.Send)
        {
            Refuse(link, e, null, StatusCodes.Status403Forbidden, "Clients publish only to send/{sessionId}", MqttPubAckReasonCode.NotAuthorized);
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

        var result = await sending.SendAsync(link.User, topic.Value,
            new SendMessageRequest(null, payload.ClientMsgId, payload.MsgType, payload.Body, payload.Priority), e.CancellationToken);
        if (result.Sent is { } sent)
        {
            link.Connection.Send(new { type = "sent", clientMsgId = payload.ClientMsgId, msgId = sent.MsgId, seq = sent.Seq });
            return;
        }
        Refuse(link, e, payload.ClientMsgId, result.Status, result.Title ?? "Refused", ReasonOf(result.Status), result.Detail,
            result.RetryAfter?.TotalSeconds);
        log.LogInformation("MQTT send of {UserId} of {TenantId} to {SessionId} refused with {Status}",
            link.User.UserId, link.User.TenantId, topic.Value, result.Status);
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
        link.Connection.Send(new { type = "error", clientMsgId, status, title, detail, retryAfterSeconds });
    }

    private static MqttPubAckReasonCode ReasonOf(int status) => status switch
    {
        StatusCodes.Status403Forbidden => MqttPubAckReasonCode.NotAuthorized,
        StatusCodes.Status404NotFound => MqttPubAckReasonCode.TopicNameInvalid,
        StatusCodes.Status429TooManyRequests => MqttPubAckReasonCode.QuotaExceeded,
        StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge => MqttPubAckReasonCode.PayloadFormatInvalid,
        _ => MqttPubAckReasonCode.ImplementationSpecificError,
    };
}
