using System.Text.Json;
using System.Text.RegularExpressions;

namespace MessagePlatform.Domain;

/// <summary>A send; <paramref name="ReplyTo"/> and <paramref name="Mentions"/> are v1.1's and optional.</summary>
public sealed record SendMessage(
    string SessionId, string From, string ClientMsgId, string Type, JsonElement Body, string Priority,
    long? ReplyTo = null, IReadOnlyList<string>? Mentions = null);

/// <summary>Pure rules of sending: what a well-formed send is, and whether a session takes it.</summary>
public static partial class SendRules
{
    public const int MaxBodyBytes = 64 * 1024;
    public static readonly string[] Types = ["text", "image", "file", "custom", "system"];
    public static readonly string[] Priorities = ["high", "normal", "low"];

    /// <summary>No ':' and at most 60 characters, so a c2c id "c2c:{a}:{b}" is unambiguous and a valid session id.</summary>
    // \z, not $: '$' also matches before a final newline, so "bob\n" would pass.
    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,60}\z")]
    public static partial Regex UserIdPattern();

    public const string UserIdRule = "^[A-Za-z0-9_.-]{1,60}$";

    [GeneratedRegex(@"^[A-Za-z0-9:_.-]{1,128}\z")]
    public static partial Regex SessionIdPattern();

    /// <summary>Field errors of a send; an over-size body is reported apart because it answers 413.</summary>
    public static (Dictionary<string, string[]> Errors, bool TooLarge) Validate(
        string? from, string? clientMsgId, string? type, JsonElement? body, string? priority,
        long? replyTo = null, IReadOnlyList<string?>? mentions = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(from) || !UserIdPattern().IsMatch(from))
            errors["from"] = [$"is required and must match {UserIdRule}"];
        if (string.IsNullOrEmpty(clientMsgId) || clientMsgId.Length > 128)
            errors["clientMsgId"] = ["is required, 1 to 128 characters"];
        else if (!StorableText.IsStorable(clientMsgId))
            errors["clientMsgId"] = [StorableText.Rule];
        if (type is null || !Types.Contains(type))
            errors["type"] = [$"must be one of {string.Join(", ", Types)}"];
        if (body is null || body.Value.ValueKind == JsonValueKind.Undefined)
            errors["body"] = ["is required (any JSON value)"];
        else if (!StorableText.IsStorable(body.Value))
            errors["body"] = [StorableText.JsonRule];
        if (priority is not null && !Priorities.Contains(priority))
            errors["priority"] = [$"must be one of {string.Join(", ", Priorities)}"];
        if (replyTo is <= 0)
            errors["replyTo"] = ["must be the msgId of a message of this session"];
        if (Mentions.ShapeError(mentions) is { } mentionError)
            errors["mentions"] = [mentionError];
        var tooLarge = body is { ValueKind: not JsonValueKind.Undefined } b && BodyBytes(b) > MaxBodyBytes;
        return (errors, tooLarge);
    }

    public static int BodyBytes(JsonElement body) => System.Text.Encoding.UTF8.GetByteCount(body.GetRawText());

    /// <summary>
    /// Why <paramref name="body"/> cannot be a message's body (for doors that have no field errors, such as
    /// an edit): absent or unstorable is Invalid, over <see cref="MaxBodyBytes"/> is TooLarge; null if it can.
    /// </summary>
    public static Rejection? BodyRejection(JsonElement? body) =>
        body is null || body.Value.ValueKind == JsonValueKind.Undefined ? Rejection.Invalid("A body is required (any JSON value).")
        : !StorableText.IsStorable(body.Value) ? Rejection.Invalid($"A body {StorableText.JsonRule}.")
        : BodyBytes(body.Value) > MaxBodyBytes ? Rejection.TooLarge($"A message body is at most {MaxBodyBytes} bytes of JSON.")
        : null;

    /// <summary>
    /// <paramref name="replyTarget"/> is the message of this session whose msgId the send's ReplyTo names,
    /// or null when there is none (or the send replies to nothing).
    /// </summary>
    public static Decision Decide(Session? session, SendMessage command, long msgId, DateTimeOffset now, MessageRef? replyTarget = null)
    {
        if (session is null) return Decision.Refuse(Rejection.NotFound($"Unknown session '{command.SessionId}'."));
        if (session.Closed) return Decision.Refuse(Rejection.Conflict("The session is closed."));
        if (!session.Admits(command.From))
            return Decision.Refuse(Rejection.Forbidden($"'{command.From}' is not a member of this session."));
        // A message before the sender's history starts is one it cannot see: not one it can reply to.
        if (command.ReplyTo is { } replyTo
            && (replyTarget is null || replyTarget.MsgId != replyTo || replyTarget.Seq <= session.HistoryStartFor(command.From)))
            return Decision.Refuse(Rejection.Invalid($"replyTo: no message {replyTo} in this session."));
        if (Mentions.Refusal(session, command.Mentions) is { } refusal) return Decision.Refuse(refusal);
        return Decision.Append(new MessageSent(
            msgId, command.From, command.ClientMsgId, command.Type, command.Body.Clone(), command.Priority, now,
            command.ReplyTo, command.Mentions is { Count: > 0 } mentions ? [.. mentions] : null));
    }
}
