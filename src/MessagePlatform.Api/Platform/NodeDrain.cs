using Microsoft.Extensions.Options;
using MessagePlatform.Api.Realtime.Gateway;
using MQTTnet.Server;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// What SIGTERM does before Kestrel stops. Kestrel stops first of the hosted services and waits for
/// every request in flight, and an open WebSocket or /mqtt connection is one: left alone, a node with
/// clients would hang for the whole shutdown timeout and end with aborted sockets. So, in
/// <see cref="StoppingAsync"/> (the host calls every service's before any StopAsync): new requests answer
/// 503 with Retry-After and Connection: close, readiness fails, every WebSocket is closed with 1012
/// (Service Restart) after its queued frames, and MQTTnet disconnects its clients (MQTT 5: 0x8B server
/// shutting down). Kestrel then drains the requests in flight and GroupCommit commits and answers what
/// its lanes hold.
/// </summary>
public sealed class NodeDrain(LocalConnections connections, MqttServer mqtt, IOptions<NodeOptions> options, ILogger<NodeDrain> log) : IHostedLifecycleService
{
    public const int RetryAfterSeconds = 1;
    private volatile bool _draining;

    public bool Draining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var sockets = 0;
        foreach (var connection in connections.All)
        {
            connection.Drain();
            sockets++;
        }
        log.LogInformation("Draining: refusing new requests, closing {Connections} connections for restart", sockets);
        // Clients on kept-alive connections are told 503 + Connection: close meanwhile, instead of a reset.
        var grace = Task.Delay(options.Value.DrainGraceMilliseconds, CancellationToken.None);
        try
        {
            if (mqtt.IsStarted) await mqtt.StopAsync();
        }
        catch (Exception e)
        {
            // Kestrel's own stop ends what MQTTnet could not close; the drain goes on.
            log.LogWarning(e, "Draining: MQTT server did not stop cleanly");
        }
        await grace;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class NodeDrainConfig
{
    public static IHostApplicationBuilder AddNodeDrain(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NodeDrain>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeDrain>());
        return builder;
    }

    /// <summary>First in the pipeline: a draining node takes nothing new, readiness included.</summary>
    public static WebApplication UseNodeDrain(this WebApplication app)
    {
        var drain = app.Services.GetRequiredService<NodeDrain>();
        app.Use(async (http, next) =>
        {
            if (!drain.Draining)
            {
                // A request in flight when the drain begins still gets its answer, on a connection
                // the client then drops rather than reuses against a node about to stop listening.
                http.Response.OnStarting(() =>
                {
                    if (drain.Draining) http.Response.Headers.Connection = "close";
                    return Task.CompletedTask;
                });
                await next(http);
                return;
            }
            http.Response.Headers.RetryAfter = NodeDrain.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers.Connection = "close";
            await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Node restarting",
                detail: "This node is shutting down; try again (another node, or this one once it is back).").ExecuteAsync(http);
        });
        return app;
    }
}
