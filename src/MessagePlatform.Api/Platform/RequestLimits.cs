using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Broadcasts;
using MessagePlatform.Api.Messages;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// Fair use at the door (`RequestLimits:*`): a request rate per credential, and a cap on request
/// bodies enforced before anything parses them. App and admin keys are a tenant's backend speaking
/// for all its users, so they get a higher rate than one user's token or an auditor.
/// </summary>
public sealed class RequestLimitOptions
{
    public const string Section = "RequestLimits";

    /// <summary>Requests per second of one user token, auditor key, or unauthenticated address.</summary>
    [Range(1, 10_000_000)]
    public int PerCredentialPerSecond { get; set; } = 2_000;

    /// <summary>Requests per second of one tenant's app keys (the benchmark drives ~3,500/s through one), or the admin key.</summary>
    [Range(1, 10_000_000)]
    public int AppKeyPerSecond { get; set; } = 20_000;

    /// <summary>A send's body is at most 64 KiB of JSON; nothing the API takes is larger.</summary>
    [Range(1_024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;
}

public static class RequestLimits
{
    public static IHostApplicationBuilder AddRequestLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<RequestLimitOptions>(RequestLimitOptions.Section);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestLimitOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RequestLimitOptions>>((limiter, limits) =>
        {
            var options = limits.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, options));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (rejected, ct) => TooManyRequestsAsync(rejected, ct);
        });
        builder.AddSenderLimits();
        builder.AddBroadcastLimits();
        return builder;
    }

    /// <summary>After authentication: the limiter partitions by the authenticated caller.</summary>
    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        var max = app.Services.GetRequiredService<IOptions<RequestLimitOptions>>().Value.MaxRequestBodyBytes;
        app.Use((http, next) => RefuseLargeBodyAsync(http, next, max));
        app.UseRateLimiter();
        return app;
    }

    // Kestrel enforces its limit while the body is read (chunked bodies too); a declared length
    // over it is refused here before anyone reads a byte, on any server (TestServer has no such limit).
    private static async Task RefuseLargeBodyAsync(HttpContext http, RequestDelegate next, long max)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = max;
        if (http.Request.ContentLength is { } length && length > max)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = 413, Title = "Request body too large", Detail = $"A request body is at most {max} bytes." },
            });
            return;
        }
        await next(http);
    }

    private static RateLimitPartition<string> Partition(HttpContext http, RequestLimitOptions options)
    {
        // Long-lived connections and the probes are not requests to count.
        var path = http.Request.Path;
        if (path.StartsWithSegments("/health") || path.StartsWithSegments("/v1/connect") || path.StartsWithSegments("/mqtt"))
            return RateLimitPartition.GetNoLimiter("");
        var role = http.User.FindFirst(Roles.RoleClaim)?.Value;
        var key = role is null
            ? $"ip:{http.Connection.RemoteIpAddress}"
            : $"{role}:{http.User.FindFirst(Roles.TenantClaim)?.Value}:{http.User.FindFirst(Roles.UserClaim)?.Value}";
        var perSecond = role is Roles.App or Roles.Admin ? options.AppKeyPerSecond : options.PerCredentialPerSecond;
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask TooManyRequestsAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var http = rejected.HttpContext;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = 429, Title = "Too many requests", Detail = "This credential is calling faster than its limit; retry after the given time." },
        });
    }
}
