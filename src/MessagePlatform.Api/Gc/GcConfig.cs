using JasperFx.Events.Projections;
using Marten;
using MessagePlatform.Api.Platform;

namespace MessagePlatform.Api.Gc;

public static class GcConfig
{
    public static void AddGcTables(this StoreOptions options)
    {
        GcLog.AddTo(options);
        Erasures.AddTo(options);
        // Inline: each session's GC schedule moves in the transaction of the events that move it.
        options.Projections.Add(new GcDueProjection(), ProjectionLifecycle.Inline);
    }

    public static IHostApplicationBuilder AddGc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSettings<GcOptions>(GcOptions.Section);
        builder.Services.AddSingleton<GcLog>();
        builder.Services.AddSingleton<GcDue>();
        builder.Services.AddSingleton<GcHealth>();
        builder.Services.AddSingleton<HistoryCollector>();
        builder.Services.AddSingleton<BroadcastCollector>();
        builder.Services.AddSingleton<TimelineSweeper>();
        builder.Services.AddSingleton<Erasures>();
        builder.Services.AddSingleton<GcWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GcWorker>());
        builder.Services.AddHealthChecks().AddCheck<GcHealth>("gc", tags: [Health.Ready]);
        return builder;
    }
}
