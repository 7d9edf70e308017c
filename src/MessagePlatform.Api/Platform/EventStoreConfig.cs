using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.MultiTenancy;
using Marten;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Audit;
using MessagePlatform.Api.Conversations;
using MessagePlatform.Api.Broadcasts;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Gc;
using MessagePlatform.Api.Sync;
using MessagePlatform.Api.Hooks;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Api.Webhooks;
using MessagePlatform.Api.Tenants;
using MessagePlatform.Projections;
using MessagePlatform.Projections.UserChain;

namespace MessagePlatform.Api.Platform;

public static class EventStoreConfig
{
    public const string Schema = ReadModels.Schema;

    /// <summary>Marten on PostgreSQL: one string-keyed stream per (tenant, session), conjoined tenancy.</summary>
    public static IHostApplicationBuilder AddEventStore(this IHostApplicationBuilder builder, PlatformOptions platform)
    {
        builder.Services.AddSingleton<AppendSignal>();
        builder.Services.AddSingleton<DaemonWakeup>();
        builder.Services.AddHostedService<AppendNotifier>();
        builder.Services.AddSettings<DaemonOptions>(DaemonOptions.Section);
        builder.Services.ConfigureMarten((services, options) =>
        {
            options.Projections.Wakeup = services.GetRequiredService<DaemonWakeup>();
            if (services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DaemonOptions>>().Value.PollMilliseconds is > 0 and var poll)
                (options.Projections.FastPollingTime, options.Projections.SlowPollingTime) = (TimeSpan.FromMilliseconds(poll), TimeSpan.FromMilliseconds(poll));
            options.Listeners.Add(new AppendListener(services.GetRequiredService<AppendSignal>()));
            options.AddMessagePlatformProjections(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HistoryOnJoinLimits>>().Value,
                services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReadItemLimits>>().Value);
        });
        builder.Services.AddSettings<HistoryOnJoinLimits>(HistoryOnJoinLimits.Section);
        builder.Services.AddSettings<ReadItemLimits>(ReadItemLimits.Section);
        builder.Services.AddSettings<LaneOptions>(LaneOptions.Section);
        var marten = builder.Services.AddMarten(options =>
        {
            // Never Multiplexing=true: the daemon's leader lock refuses it.
            options.Connection(StoreConnectionString(platform.Postgres));
            options.DatabaseSchemaName = Schema;
            options.Events.DatabaseSchemaName = Schema;
            options.Events.StreamIdentity = StreamIdentity.AsString;
            options.Events.TenancyStyle = TenancyStyle.Conjoined;
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            // HotCold leadership needs the advisory lock taken in a transaction: the lock library
            // refuses Weasel's multiplexing data source otherwise.
            options.Events.UseAdvisoryLockTransaction = true;
            // The daemon is woken on append by DaemonWakeup (coalesced, never lost), not by Marten's
            // NOTIFY per commit, which would cost a statement per commit and a daemon cycle each.
            options.Events.UseListenNotifyForEventAppends = false;
            // Audit: each event records who caused it (a header) and the request's correlation and causation.
            options.Events.MetadataConfig.CorrelationIdEnabled = true;
            options.Events.MetadataConfig.CausationIdEnabled = true;
            options.Events.MetadataConfig.HeadersEnabled = true;
            // Marten's connection spans (Telemetry listens to "Marten"). Not TrackEventCounters: it tags
            // each count with the tenant id, which no metric may carry (unbounded, and names customers).
            options.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
            options.AddTenants();
            options.AddAccessStorage();
            WebhookTables.AddTo(options);
            ConnectionRegistry.AddTo(options);
            // Every document type is known up front: created at start-up, never lazily by racing requests.
            options.Schema.For<BeforeSendHookConfig>();
            SendReceipts.AddTo(options);
            ConversationList.AddTo(options);
            SyncVisits.AddTo(options);
            options.AddGcTables();
            UserTags.AddTo(options);
            Presence.PresenceDirectory.AddTo(options);
            AuditConfig.AddTo(options);
        })
        .ApplyAllDatabaseChangesOnStartup()
        .UseLightweightSessions()
        // Async projections run on one node of the cluster at a time; another takes over when it stops.
        .AddAsyncDaemon(DaemonMode.HotCold);
        // Stored events reach the bus through the daemon too: in order, at least once, on one node.
        // `Daemon:Subscriptions=false` leaves both out, so the benchmark can price them against sends.
        if (Settings.Read<DaemonOptions>(builder.Configuration, DaemonOptions.Section).Subscriptions)
            marten.AddSubscriptionWithServices<RealtimePublisher>(ServiceLifetime.Singleton)
                .AddSubscriptionWithServices<WebhookOutbox>(ServiceLifetime.Singleton);
        return builder;
    }

    /// <summary>What every data source of the node connects with: <see cref="WithAutoPrepare"/> and <see cref="WithOutageBounds"/>.</summary>
    public static string StoreConnectionString(string connectionString) => WithOutageBounds(WithAutoPrepare(connectionString));

    /// <summary>
    /// A stopped or unreachable server must cost a caller seconds, not Npgsql's 15 s default: its
    /// <c>Timeout</c> bounds both opening a connection and waiting for a free one in a full pool, so
    /// 3 s, after which the failure is answered as <see cref="EventStore.StoreUnavailable"/> (503).
    /// A server that is down refuses or resets at once; the command timeout (30 s) is left alone,
    /// since GC passes and exports run long statements on a healthy one. A value the connection
    /// string already gives wins.
    /// </summary>
    public static string WithOutageBounds(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!new[] { "Timeout", "Connect Timeout", "Connection Timeout" }.Any(given.ContainsKey)) builder.Timeout = ConnectTimeoutSeconds;
        return builder.ConnectionString;
    }

    public const int ConnectTimeoutSeconds = 3;

    /// <summary>
    /// Npgsql prepares a statement once it has run twice on a connection: the write path's statements
    /// (Marten's append function, the session chain and receipt inserts, the lane's loads) are the same
    /// text every commit, and a prepared one skips parsing and planning. A value the connection string
    /// already gives (0 turns it off) wins.
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        // Npgsql's own builder knows every keyword, given or not: ask the plain one what was given.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Given(params string[] keys) => keys.Any(given.ContainsKey);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!Given("Max Auto Prepare", "MaxAutoPrepare")) builder.MaxAutoPrepare = 64;
        if (!Given("Auto Prepare Min Usages", "AutoPrepareMinUsages")) builder.AutoPrepareMinUsages = 2;
        return builder.ConnectionString;
    }
}
