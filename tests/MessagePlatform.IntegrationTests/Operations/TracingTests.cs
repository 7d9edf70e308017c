using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MessagePlatform.IntegrationTests.Operations;

/// <summary>A send's trace, exported in memory: from its request through the commit to the push and the webhook.</summary>
public sealed class TracingTests
{
    private const string Secret = "tracing-webhook-secret";

    /// <summary>
    /// A push reaching its node over a second after its commit becomes a sync hint, not a frame; on two
    /// loaded cores that happens, and these tests wait for the frame itself (shedding has tests of its own).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NoLateShedding = new Dictionary<string, string>
    {
        ["Realtime:ShedLowPriorityAfterMilliseconds"] = "60000",
        ["Realtime:SyncInsteadAfterMilliseconds"] = "60000",
    };

    /// <summary>Exports as each span ends; the provider listens process-wide, so spans of other hosts come too (told apart by trace id).</summary>
    private sealed class Collected : BaseProcessor<Activity>
    {
        public ConcurrentQueue<Activity> Spans { get; } = new();

        public override void OnEnd(Activity data) => Spans.Enqueue(data);
    }

    [Fact]
    public async Task a_sends_request_commit_publish_push_and_webhook_spans_share_one_trace_and_its_events_carry_that_trace_id()
    {
        var collected = new Collected();
        await using var host = new PlatformHost(await TestServers.CreateDatabaseAsync(), settings: NoLateShedding,
            services: s => s.AddOpenTelemetry().WithTracing(t => t.AddProcessor(collected)));
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(host, admin, "enterprise");
        await using var receiver = await HookReceiver.StartAsync(Secret);
        await tenant.App.OpenAsync(new { sessionId = "traced", type = "group", members = new[] { "ann", "bob" } });
        await tenant.App.PutAsJsonAsync("/v1/sessions/traced/webhook", new { url = receiver.Url("hook"), secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await using var bob = await SocketClient.ConnectAsync(host, await tenant.App.TokenAsync("bob"));

        await tenant.App.SendAsync("traced", "ann", "m1").ExpectAsync(HttpStatusCode.Created);
        // Generous: the suite loads two cores, and every span of the process is recorded meanwhile.
        await bob.ReceiveUntilAsync("message", TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(() => Task.FromResult(receiver.Delivered.Count), n => n > 0);

        var request = await Poll.UntilAsync(() => Task.FromResult(collected.Spans.FirstOrDefault(s =>
                s.Kind == ActivityKind.Server && s.GetTagItem("http.request.method") as string == "POST"
                && s.GetTagItem("url.path") as string == "/v1/sessions/traced/messages")),
            s => s is not null);
        var trace = request!.TraceId;
        List<Activity> InTrace() => [.. collected.Spans.Where(s => s.TraceId == trace)];
        var spans = await Poll.UntilAsync(() => Task.FromResult(InTrace()), all =>
            all.Any(s => s.Source.Name == "MessagePlatform" && s.DisplayName == "commit")
            && all.Any(s => s.Source.Name == "MessagePlatform" && s.DisplayName == "publish")
            && all.Any(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer)
            && all.Any(s => s.Source.Name == "MessagePlatform" && s.DisplayName == "webhook delivery")
            && all.Any(s => s.Kind == ActivityKind.Client && s.GetTagItem("url.full") is string url && url.StartsWith(receiver.Url(""))));
        // The commit span is the request's child; the publish follows from the commit span.
        var commit = spans.Single(s => s.DisplayName == "commit");
        Assert.Equal(request.SpanId, commit.ParentSpanId);
        Assert.Equal(commit.SpanId, spans.Single(s => s.DisplayName == "publish").ParentSpanId);
        // The database's work of the commit nests in its batch span, linked to the request.
        var batch = collected.Spans.Single(s => s.DisplayName == "commit batch" && s.Links.Any(l => l.Context.SpanId == request.SpanId));
        Assert.Contains(collected.Spans, s => s.ParentSpanId == batch.SpanId && s.TraceId == batch.TraceId);

        // No X-Correlation-Id was sent: the stored event's correlation id is the trace id.
        using var auditor = host.ClientWith(tenant.AuditorKey);
        var events = (await auditor.GetAsync("/v1/audit/sessions/traced/events").ExpectAsync(HttpStatusCode.OK)).GetProperty("events").EnumerateArray().ToList();
        var sent = events.Single(e => e.GetProperty("type").GetString() == "message.sent");
        Assert.Equal(trace.ToHexString(), sent.GetProperty("correlationId").GetString());
    }
}
