using JasperFx;
using JasperFx.Events;
using JasperFx.MultiTenancy;
using Marten;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Tenants;
using MessagePlatform.Projections;

namespace MessagePlatform.Api.Platform;

public static class EventStoreConfig
{
    public const string Schema = "mp";

    /// <summary>Marten on PostgreSQL: one string-keyed stream per (tenant, session), conjoined tenancy.</summary>
    public static IHostApplicationBuilder AddEventStore(this IHostApplicationBuilder builder, PlatformOptions platform)
    {
        builder.Services.AddMarten(options =>
        {
            // Never Multiplexing=true: the daemon's leader lock refuses it.
            options.Connection(platform.Postgres);
            options.DatabaseSchemaName = Schema;
            options.Events.DatabaseSchemaName = Schema;
            options.Events.StreamIdentity = StreamIdentity.AsString;
            options.Events.TenancyStyle = TenancyStyle.Conjoined;
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.AddTenants();
            SendReceipts.AddTo(options);
            options.AddMessagePlatformProjections();
        }).ApplyAllDatabaseChangesOnStartup().UseLightweightSessions();
        return builder;
    }
}
