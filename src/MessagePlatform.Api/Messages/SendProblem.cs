using System.Diagnostics;
using MessagePlatform.Api.Platform;

namespace MessagePlatform.Api.Messages;

/// <summary>
/// A refused send as every door tells it: the problem details of REST, and the same status, title
/// and detail in the WebSocket and MQTT `error` frame, so a client reads one vocabulary whatever
/// its door. Successes are not problems: null.
/// </summary>
public sealed record SendProblem(int Status, string Title, string Detail, TimeSpan? RetryAfter = null)
{
    public static SendProblem? Of(SendOutcome outcome) => outcome switch
    {
        SendOutcome.Stored or SendOutcome.Repeated => null,
        SendOutcome.Invalid => new(StatusCodes.Status400BadRequest, "Invalid request", "Some fields are not valid."),
        SendOutcome.TooLarge => new(StatusCodes.Status413PayloadTooLarge, "Body too large",
            $"A message body is at most {Domain.SendRules.MaxBodyBytes} bytes of JSON."),
        SendOutcome.Forbidden(var reason) => new(StatusCodes.Status403Forbidden, "Forbidden", reason),
        SendOutcome.Rejected(var rejection) => new(Problems.StatusOf(rejection.Kind), rejection.Title, rejection.Detail),
        SendOutcome.Throttled(var wait) => new(StatusCodes.Status429TooManyRequests, "Too many messages",
            "This sender, room or tenant is sending faster than its limit; retry after the given time.", wait),
        SendOutcome.ModerationDenied(var reason) => new(StatusCodes.Status422UnprocessableEntity, "Denied by moderation", reason),
        SendOutcome.ModerationUnavailable(var reason) => new(StatusCodes.Status503ServiceUnavailable, "Moderation unavailable", reason),
        SendOutcome.Busy(var wait, var reason) => new(StatusCodes.Status503ServiceUnavailable, Problems.BusyTitle, reason, wait),
        SendOutcome.StoreUnavailable(var wait) => new(StatusCodes.Status503ServiceUnavailable,
            EventStore.StoreUnavailable.Title, EventStore.StoreUnavailable.Detail, wait),
        SendOutcome.Overloaded(var wait, var reason) => new(StatusCodes.Status503ServiceUnavailable, "Pushes are behind", reason, wait),
        // The union is closed (private constructor); SendOutcomeDoorTests fails when a case is missing here.
        _ => throw new UnreachableException($"No problem for send outcome {outcome.GetType().Name}"),
    };
}
