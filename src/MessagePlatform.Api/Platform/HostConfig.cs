using MassTransit;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Audit;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Messages;
using MessagePlatform.Api.Sessions;
using MessagePlatform.Api.Sync;
using MessagePlatform.Api.Conversations;
using MessagePlatform.Api.Typing;
using MessagePlatform.Api.Broadcasts;
using MessagePlatform.Api.Daemon;
using MessagePlatform.Api.Demo;
using MessagePlatform.Api.Presence;
using MessagePlatform.Api.Gc;
using MessagePlatform.Api.Hooks;
using MessagePlatform.Api.Webhooks;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.Api.Realtime.Mqtt;
using MessagePlatform.Api.Tenants;
using MessagePlatform.Domain;
using Npgsql;
using Serilog;
using Serilog.Events;

namespace MessagePlatform.Api.Platform;

/// <summary>Everything the host registers and maps, so Program.cs reads as a table of contents.</summary>
public static class HostConfig
{
    public static IHostApplicationBuilder AddMessagePlatform(this IHostApplicationBuilder builder)
    {
        var platform = PlatformOptions.From(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(platform);
        // First of the hosted services: nothing else starts before this node's id is its own.
        NodeIdentity.AddTo(builder);
        builder.Services.AddSerilog((_, log) => log
            .ReadFrom.Configuration(builder.Configuration)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Marten", LogEventLevel.Warning)
            .MinimumLevel.Override("MassTransit", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("NodeId", platform.NodeId)
            // Last, so it sees every property the others added.
            .Enrich.With<LogEscaping>()
            .WriteTo.Console(LogFormat.Of(builder.Configuration)));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddMetrics();
        builder.AddPlatformTelemetry();
        builder.Services.AddSingleton<PlatformMeters>();
        builder.Services.AddSingleton(sp => new MsgIds(platform.NodeId, sp.GetRequiredService<TimeProvider>()));
        // Our own statements prepare like the event store's: the fan-out's registry look-up ran once
        // per pushed batch and was planned every time (pg_stat_statements: 0.14 ms of planning to
        // 0.01 ms of execution, about a tenth of a core at 740 batches/s).
        builder.Services.AddSingleton(NpgsqlDataSource.Create(EventStoreConfig.StoreConnectionString(platform.Postgres)));
        builder.AddEventStore(platform);
        builder.Services.AddSingleton<SendReceipts>();
        builder.Services.AddSingleton<GroupCommit>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GroupCommit>());
        builder.Services.AddSingleton<SessionStreams>();
        builder.Services.AddSingleton<SessionHistory>();
        builder.Services.AddSingleton<ChatTargets>();
        builder.Services.AddSingleton<Sending>();
        builder.AddPushBacklog();
        builder.Services.AddSingleton<SendThrottle>();
        builder.AddHooks();
        builder.AddWebhooks();
        builder.Services.AddSingleton<SyncReader>();
        builder.Services.AddSingleton<SyncVisits>();
        builder.Services.AddSingleton<UserTags>();
        builder.Services.AddSingleton<Broadcasting>();
        builder.Services.AddSingleton<PresenceDirectory>();
        builder.Services.AddHostedService<PresenceTracker>();
        builder.Services.AddSingleton<ConversationList>();
        builder.Services.AddSingleton<ConversationSettingsStore>();
        builder.Services.AddSingleton<TenantDirectory>();

        builder.AddAccess();
        builder.AddAudit();
        builder.AddProblems();
        builder.AddRequestLimits();
        builder.AddApiReference();
        builder.AddRealtime();
        builder.AddNodeDrain();
        builder.AddGc();
        builder.Services.AddSingleton<ProjectionRebuilds>();
        builder.AddBus(platform);
        builder.Services.AddSingleton<BrokerLink>();
        builder.AddReaderHealth();
        builder.AddDemoChat();
        builder.Services.AddHealthChecks().AddCheck<BrokerLink>(BrokerLink.CheckName, tags: [Health.Ready]);
        return builder;
    }

    private static void AddBus(this IHostApplicationBuilder builder, PlatformOptions platform) =>
        builder.Services.AddMassTransit(bus =>
        {
            // MassTransit 8.4+ reports usage to its vendor after start: this node calls out to no one it was not told to.
            bus.DisableUsageTelemetry();
            // MassTransit's own check says Unhealthy for a lost broker; readiness asks BrokerLink instead,
            // which tells a node still starting (not ready) from one that lost the broker (degraded).
            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Name = "masstransit-endpoints";
                health.Tags.Add("masstransit");
            });
            bus.AddPushConsumers();
            if (platform.UsesRabbitMq)
                bus.UsingRabbitMq((context, rabbit) =>
                {
                    rabbit.Host(new Uri(platform.RabbitMq));
                    rabbit.ConfigurePushQueues(context, platform);
                    rabbit.ConfigureEndpoints(context);
                });
            else
                bus.UsingInMemory((context, memory) =>
                {
                    memory.ConfigurePushQueues(context, platform);
                    memory.ConfigureEndpoints(context);
                });
        });

    public static WebApplication UseMessagePlatform(this WebApplication app)
    {
        // Outermost, so it logs the status the client finally got, not an exception handled later.
        app.UseSerilogRequestLogging(o =>
        {
            o.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                if (http.User.FindFirst(Roles.TenantClaim)?.Value is { } tenantId) diagnostics.Set("TenantId", tenantId);
                if (http.GetRouteValue("sessionId") is { } sessionId) diagnostics.Set("SessionId", sessionId);
            };
            // A 503 with Retry-After is the platform shedding load as designed (intake, full lanes):
            // a warning, not an error; an unhandled failure still logs as one.
            o.GetLevel = (http, _, failure) =>
                failure is not null || (http.Response.StatusCode >= 500 && !http.Response.Headers.ContainsKey("Retry-After"))
                    ? Serilog.Events.LogEventLevel.Error
                    : http.Response.StatusCode is 503 or 429 ? Serilog.Events.LogEventLevel.Warning
                    : Serilog.Events.LogEventLevel.Information;
        });
        app.UseNodeDrain();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Ping/pong keep-alive (ASP.NET Core 9+): a client that vanished without a FIN stops answering pings and is closed after the timeout.
        var keepAlive = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RealtimeOptions>>().Value;
        app.UseWebSockets(new WebSocketOptions
        {
            KeepAliveInterval = TimeSpan.FromSeconds(keepAlive.KeepAliveSeconds), KeepAliveTimeout = TimeSpan.FromSeconds(keepAlive.KeepAliveTimeoutSeconds),
        });
        app.UseAuthentication();
        app.UseRequestLimits();
        // Between the two: the caller is known, and refusals by authorization are in the access log.
        app.UseCommandOrigin();
        app.UseAuditAccessLog();
        app.UseAuthorization();
        app.UsePathIdRules();
        return app;
    }

    public static WebApplication MapMessagePlatformApi(this WebApplication app)
    {
        app.MapApiReference();
        app.MapHealth();
        app.MapPlatformMetrics();
        app.MapTenantsApi();
        app.MapSessionsApi();
        app.MapMessagesApi();
        app.MapRetractApi();
        app.MapEditApi();
        app.MapReactionsApi();
        app.MapPinsApi();
        app.MapSyncApi();
        app.MapConversationsApi();
        app.MapReceiptsApi();
        app.MapTypingApi();
        app.MapRebuildApi();
        app.MapTokensApi();
        app.MapConnectApi();
        app.MapMqttApi();
        app.MapHooksApi();
        app.MapWebhooksApi();
        app.MapGcApi();
        app.MapTagsApi();
        app.MapBroadcastsApi();
        app.MapPresenceApi();
        app.MapAuditApi();
        app.MapDemoChat();
        return app;
    }
}
