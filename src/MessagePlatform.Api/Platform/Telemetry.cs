using System.Diagnostics;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// OpenTelemetry for the host: metrics (ours, ASP.NET Core's, HttpClient's, the runtime's, Npgsql's,
/// Marten's, MassTransit's) scraped as Prometheus text at /metrics, and traces exported over OTLP
/// when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
/// </summary>
public static class Telemetry
{
    /// <summary>The platform's own spans: a send's commit, a page's publish, a webhook delivery.</summary>
    public const string SourceName = "MessagePlatform";

    public static readonly ActivitySource Source = new(SourceName);

    public const string MetricsPath = "/metrics";

    /// <summary>The event header holding the W3C traceparent of the span that appended the event.</summary>
    public const string TraceHeader = "traceparent";

    // MassTransit.Logging.DiagnosticHeaders.DefaultListenerName: its ActivitySource and Meter.
    private const string MassTransitName = "MassTransit";
    private const string MartenName = "Marten";

    public static IHostApplicationBuilder AddPlatformTelemetry(this IHostApplicationBuilder builder)
    {
        var node = builder.Configuration["MP_NODE_ID"] ?? "0";
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("messageplatform", serviceInstanceId: $"node-{node}"))
            .WithMetrics(metrics => metrics
                .AddMeter(PlatformMeters.MeterName, MassTransitName, MartenName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter());
        // What a tracer listens to is configured always, so a host that adds an exporter of its own
        // (a test's in-memory one) gets the same spans; the provider itself, and the cost of every
        // span, exists only when something exports them.
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(SourceName, MartenName, MassTransitName)
            .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path))
            .AddHttpClientInstrumentation()
            .AddNpgsql());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            otel.WithTracing(tracing => tracing.AddOtlpExporter());
        return builder;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/health");

    /// <summary>
    /// /metrics is open like /health: operators scrape it from inside their network, and it carries no
    /// tenant ids (no instrument is tagged with one), only node-wide counts.
    /// </summary>
    public static WebApplication MapPlatformMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        // The readers' lag gauges are made with ProjectionLag, otherwise only at the first readiness probe.
        app.Services.GetRequiredService<Daemon.ProjectionLag>();
        return app;
    }

    /// <summary>
    /// The W3C traceparent of the current span (an Activity's id is one), to carry it across a store or a
    /// queue; null when there is none or nobody traces (ASP.NET Core makes a request span for its logs
    /// alone: no event pays for that).
    /// </summary>
    public static string? CurrentParent() =>
        Source.HasListeners() && Activity.Current is { IdFormat: ActivityIdFormat.W3C } a ? a.Id : null;

    /// <summary>The traceparent an event was stamped with, if any.</summary>
    public static string? TraceOf(JasperFx.Events.IEvent e) => e.GetHeader(TraceHeader)?.ToString();

    /// <summary>The span context a traceparent names, or default for none or a malformed one.</summary>
    public static ActivityContext ParentOf(string? traceparent) =>
        traceparent is not null && ActivityContext.TryParse(traceparent, null, isRemote: true, out var context) ? context : default;
}
