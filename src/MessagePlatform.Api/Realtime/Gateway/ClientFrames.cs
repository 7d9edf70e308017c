using System.Text.Json;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Messages;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Realtime.Gateway;

/// <summary>A frame from a client (API.md "Realtime"); which fields count depends on its type.</summary>
public sealed record ClientFrame(
    string? Type, string? SessionId, string? ClientMsgId, string? MsgType, JsonElement? Body, string? Priority, string? MsgId,
    string? ReplyTo = null, IReadOnlyList<string?>? Mentions = null);

/// <summary>What the gateway does with each frame a client sends, and how it answers a send.</summary>
public static class ClientFrames
{
    public static ClientFrame? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<ClientFrame>(json, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static async Task HandleAsync(ClientFrame? frame, Caller caller, ClientConnection connection,
        LocalConnections connections, Sending sending, SessionStreams streams, Typing.TypingSignals typing, CancellationToken ct)
    {
        switch (frame?.Type)
        {
            case "ping":
                connection.Send(PongFrame.Instance);
                break;
            case "ack" when frame.MsgId is not null:
                connection.Ack(frame.MsgId);
                break;
            case "send":
                var outcome = await sending.SendAsync(caller, frame.SessionId ?? "",
                    new SendMessageRequest(null, frame.ClientMsgId, frame.MsgType, frame.Body, frame.Priority, frame.ReplyTo, frame.Mentions), ct);
                connection.Send(Answer(outcome, frame.ClientMsgId));
                break;
            case "typing" when frame.SessionId is not null:
                // Accepted or throttled alike say nothing back (typing is fire and forget); only a refusal answers.
                if (await typing.SignalAsync(caller.TenantId, frame.SessionId, caller.UserId!, ct) is TypingVerdict.Refused(var refused))
                    connection.Send(new FrameErrorFrame(frame.SessionId, Platform.Problems.StatusOf(refused.Kind), refused.Title));
                break;
            case "join" or "leave" when frame.SessionId is not null:
                var (session, _) = await streams.LoadAsync(caller.TenantId, frame.SessionId, ct);
                if (session is not { Type: SessionType.Room })
                {
                    connection.Send(new FrameErrorFrame(frame.SessionId, StatusCodes.Status404NotFound, "No such room"));
                    break;
                }
                if (frame.Type == "join") connections.Join(connection, frame.SessionId);
                else connections.Leave(connection, frame.SessionId);
                break;
            default:
                connection.Send(new FrameErrorFrame(null, StatusCodes.Status400BadRequest, "Unknown or malformed frame"));
                break;
        }
    }

    /// <summary>
    /// The realtime doors' answer to a send (WebSocket, and MQTT's `single/{userId}`): `sent` with
    /// the message's id and seq, or `error` with the status, title and detail REST would give.
    /// </summary>
    public static ReplyFrame Answer(SendOutcome outcome, string? clientMsgId) => outcome switch
    {
        SendOutcome.Stored(var sent) => new SentFrame(clientMsgId, sent.MsgId, sent.Seq),
        SendOutcome.Repeated(var first) => new SentFrame(clientMsgId, first.MsgId, first.Seq),
        _ => SendProblem.Of(outcome) is { } problem
            ? new SendErrorFrame(clientMsgId, problem.Status, problem.Title, problem.Detail, problem.RetryAfter?.TotalSeconds)
            : throw new System.Diagnostics.UnreachableException($"Send outcome {outcome.GetType().Name} is neither an answer nor a problem"),
    };
}
