using Marten;

namespace MessagePlatform.Api.Gc;

public static class GcConfig
{
    public static void AddGcTables(this StoreOptions options)
    {
        GcLog.AddTo(options);
        Erasures.AddTo(options);
    }

    public static IHostApplicationBuilder AddGc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GcLog>();
        builder.Services.AddSingleton<HistoryCollector>();
        builder.Services.AddSingleton<BroadcastCollector>();
        builder.Services.AddSingleton<TimelineSweeper>();
        builder.Services.AddSingleton<Erasures>();
        builder.Services.AddSingleton<GcWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GcWorker>());
        return builder;
    }
}
