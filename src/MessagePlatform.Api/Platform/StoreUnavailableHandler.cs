using MessagePlatform.Api.EventStore;
using Microsoft.AspNetCore.Diagnostics;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// Any request the database failed (<see cref="StoreUnavailable"/>), wherever it failed (a read, an
/// admin call, a key look-up, a lane's commit): 503 with Retry-After as a problem, not a 500. Logged
/// without the stack: one line per request is what the request log already says, the cause is the outage.
/// </summary>
public sealed class StoreUnavailableHandler(IProblemDetailsService problems, ILogger<StoreUnavailableHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!StoreUnavailable.Is(exception)) return false;
        log.LogDebug("{Method} {Path} refused: the store is unavailable ({Reason})", http.Request.Method, http.Request.Path.Value, exception.Message);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        Problems.SetRetryAfter(http, StoreUnavailable.RetryAfter);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = StoreUnavailable.Title, Detail = StoreUnavailable.Detail },
        });
    }
}
