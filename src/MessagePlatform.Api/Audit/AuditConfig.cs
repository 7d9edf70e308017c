using Marten;
using MessagePlatform.Api.Platform;

namespace MessagePlatform.Api.Audit;

public static class AuditConfig
{
    /// <summary>The audit slice's stored events, known up front like every other event type.</summary>
    public static void AddTo(StoreOptions options) => options.Events.AddEventType<AuditAccessed>();

    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EventRecords>();
        builder.Services.AddSingleton<SessionReplays>();
        builder.Services.AddSettings<AuditExportOptions>(AuditExportOptions.Section);
        builder.Services.AddSingleton<ExportPool>();
        builder.Services.AddSingleton<TenantExport>();
        builder.Services.AddSingleton<AccessLog>();
        return builder;
    }
}
