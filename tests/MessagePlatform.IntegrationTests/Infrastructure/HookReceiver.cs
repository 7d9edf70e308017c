using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>
/// A tenant's HTTP receiver on loopback (a real Kestrel server), answering per path:
/// /allow, /deny, /modify, /hang, /fail (before-send answers), /hook (webhooks, 200) and /flaky
/// (503 until <see cref="FlakyFailuresLeft"/> runs out, then 200), or as a test wrote with <see cref="Answer"/>.
/// It records every call and whether its signature held.
/// </summary>
public sealed class HookReceiver(WebApplication app, string secret) : IAsyncDisposable
{
    public ConcurrentQueue<(string Path, string Body, bool SignatureValid)> Calls { get; } = new();

    /// <summary>Webhook calls answered 2xx: (X-MP-Delivery, X-MP-Attempt, body).</summary>
    public ConcurrentQueue<(string DeliveryId, int Attempt, string Body)> Delivered { get; } = new();

    /// <summary>How many more times /flaky answers 500 before it recovers.</summary>
    public int FlakyFailuresLeft;

    private readonly ConcurrentDictionary<string, Func<HttpContext, string, Task>> _answers = new();

    /// <summary>Makes POST /{path} answer as <paramref name="write"/> writes (a hostile receiver's answer).</summary>
    public HookReceiver Answer(string path, Func<HttpContext, Task> write) => Answer(path, (http, _) => write(http));

    /// <summary>The same, given the request's body (already read off the request).</summary>
    public HookReceiver Answer(string path, Func<HttpContext, string, Task> write)
    {
        _answers[path] = write;
        return this;
    }

    public string Url(string path) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/') + "/" + path;

    public static async Task<HookReceiver> StartAsync(string secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new HookReceiver(app, secret);
        app.MapPost("/{behaviour}", async (string behaviour, HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Calls.Enqueue((behaviour, body, receiver.Verify(http.Request.Headers, body)));
            if (receiver._answers.TryGetValue(behaviour, out var write))
            {
                await write(http, body);
                return Results.Empty;
            }
            switch (behaviour)
            {
                case "allow": return Results.Json(new { action = "allow" });
                case "deny": return Results.Json(new { action = "deny", reason = "contains a bad word" });
                case "modify": return Results.Json(new { action = "modify", body = new { text = "***" } });
                case "hang": await Task.Delay(TimeSpan.FromSeconds(10), http.RequestAborted); return Results.Ok();
                case "flaky" when Interlocked.Decrement(ref receiver.FlakyFailuresLeft) >= 0: return Results.StatusCode(503);
                case "flaky" or "hook":
                    receiver.Delivered.Enqueue((http.Request.Headers["X-MP-Delivery"].ToString(),
                        int.Parse(http.Request.Headers["X-MP-Attempt"].ToString()), body));
                    return Results.Ok();
                default: return Results.StatusCode(500);
            }
        });
        await app.StartAsync();
        return receiver;
    }

    private bool Verify(IHeaderDictionary headers, string body)
    {
        var timestamp = headers["X-MP-Timestamp"].ToString();
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
        return headers["X-MP-Signature"].ToString() == expected
            && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(timestamp)) < 300;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
