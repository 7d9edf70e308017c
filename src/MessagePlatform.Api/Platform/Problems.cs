using MessagePlatform.Domain;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Platform;

/// <summary>RFC 9457 problem responses for every error, including ones no endpoint produced.</summary>
public static class Problems
{
    /// <summary>The title of a 503 for full write lanes, whether a send's outcome or an exception says so.</summary>
    public const string BusyTitle = "Busy";

    public static ProblemHttpResult For(Rejection rejection) =>
        TypedResults.Problem(statusCode: StatusOf(rejection.Kind), title: rejection.Title, detail: rejection.Detail);

    /// <summary>The status of a rule's refusal, in every door that speaks HTTP statuses (REST, and the realtime error frames).</summary>
    public static int StatusOf(RejectionKind kind) => kind switch
    {
        RejectionKind.NotFound => StatusCodes.Status404NotFound,
        RejectionKind.Forbidden => StatusCodes.Status403Forbidden,
        RejectionKind.Conflict => StatusCodes.Status409Conflict,
        RejectionKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        RejectionKind.Invalid => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>A problem that, when <paramref name="retryAfter"/> is given, also says when to come back.</summary>
    public static ProblemHttpResult ComeBackLater(HttpContext http, int status, string title, string detail, TimeSpan? retryAfter)
    {
        if (retryAfter is { } wait) SetRetryAfter(http, wait);
        return TypedResults.Problem(statusCode: status, title: title, detail: detail);
    }

    /// <summary>Retry-After in whole seconds, rounded up and at least 1: a client told 0 would retry at once.</summary>
    internal static void SetRetryAfter(HttpContext http, TimeSpan wait) =>
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    /// <summary>The 400 for a user id in a path that no user can have.</summary>
    public static ValidationProblem InvalidUserId() => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { ["userId"] = [$"must match {SendRules.UserIdRule}"] });

    public static IHostApplicationBuilder AddProblems(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Type ??= $"https://httpstatuses.io/{c.ProblemDetails.Status}";
            c.ProblemDetails.Extensions["traceId"] = c.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<BadRequestHandler>();
        builder.Services.AddExceptionHandler<OverloadHandler>();
        builder.Services.AddExceptionHandler<StoreUnavailableHandler>();
        // Binding failures (malformed JSON, wrong types) throw, so they reach the handler below.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>A node that cannot take more work now says when to come back: 503 with Retry-After, never a hang or a 500.</summary>
    private sealed class OverloadHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
        {
            if (exception is not EventStore.LaneFullException) return false;
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            SetRetryAfter(http, EventStore.LaneFullException.RetryAfter);
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                Exception = exception,
                ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = BusyTitle, Detail = exception.Message },
            });
        }
    }

    /// <summary>Turns a request the framework could not read into a 4xx that says why.</summary>
    private sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
        {
            if (exception is not BadHttpRequestException bad) return false;
            http.Response.StatusCode = bad.StatusCode;
            var detail = bad.InnerException is System.Text.Json.JsonException json
                ? $"The body is not valid JSON for this request: {json.Message}"
                : bad.Message;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                Exception = exception,
                ProblemDetails = { Status = bad.StatusCode, Title = "Bad request", Detail = detail },
            });
        }
    }
}
