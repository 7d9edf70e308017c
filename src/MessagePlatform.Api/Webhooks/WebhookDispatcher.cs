using MessagePlatform.Api.Platform;
using System.Net.Http.Headers;
using System.Text;
using MessagePlatform.Api.Hooks;
using MessagePlatform.Api.Outbound;
using Microsoft.Extensions.Options;
using MessagePlatform.Projections;
using Npgsql;

namespace MessagePlatform.Api.Webhooks;

/// <summary>
/// Sends the outbox's deliveries, on every node. Only the oldest pending delivery of a session can
/// be claimed (row lock, skip locked, then a 30 s claim), so a session's deliveries leave one at a
/// time and in seq order whichever node sends them. A non-2xx answer or a timeout is retried with
/// exponential backoff (1 s, doubling, at most 5 min); after MaxAttempts (6) the delivery
/// is parked for an operator to see and replay, and the session's next delivery goes on.
/// A delivered row loses its payload at once and the row itself after a retention; a parked one too.
/// </summary>
public sealed class WebhookDispatcher(
    NpgsqlDataSource db, IHttpClientFactory http, TimeProvider clock, IOptions<WebhookOptions> options, Platform.PlatformMeters meters,
    ILogger<WebhookDispatcher> log)
    : BackgroundService
{
    public const string HttpClientName = "webhooks";

    private readonly WebhookOptions _options = options.Value;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly string Table = ReadModels.Qualified(WebhookTables.Deliveries);

    // The secret comes from the registration the delivery was made for (same session or the default,
    // same URL), so a row holds none and a removed webhook sends nothing more.
    private static readonly string ClaimHeads = $"""
        with heads as (
          select distinct on (tenant_id, session_id) id from {Table}
          where status = 'pending' order by tenant_id, session_id, first_seq),
        claimed as (
          update {Table} d set claimed_until = now() + interval '30 seconds', attempts = d.attempts + 1
          where d.id in (
            select d2.id from {Table} d2 join heads h on h.id = d2.id
            where d2.next_attempt_at <= now() and (d2.claimed_until is null or d2.claimed_until < now())
            limit 32 for update of d2 skip locked)
          returning d.id, d.tenant_id, d.session_id, d.url, d.payload, d.attempts, d.traceparent)
        select c.id, c.tenant_id, c.session_id, c.url, c.payload::text, c.attempts, c.traceparent,
          (select r.secret from {ReadModels.Qualified(WebhookTables.Registrations)} r
           where r.tenant_id = c.tenant_id and r.session_id in (c.session_id, '') and r.url = c.url
           order by r.session_id desc limit 1)
        from claimed c
        """;

    private static readonly string Prune = $"""
        delete from {Table} where status = 'delivered' and settled_at < now() - make_interval(hours => $1)
          or status = 'parked' and settled_at < now() - make_interval(hours => $2)
        """;

    private sealed record Claimed(string Id, string TenantId, string SessionId, string Url, string? Payload, int Attempt, string? Trace, string? Secret);

    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromMilliseconds(200);
        using var timer = new PeriodicTimer(every);
        // A round every 200 ms would log five warnings a second through a database outage: once, and backing off.
        var outage = new Platform.OutageLog(log, "Webhook dispatch");
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var claimed = await ClaimAsync(stoppingToken);
                await Task.WhenAll(claimed.Select(d => DeliverAsync(d, stoppingToken)));
                await PruneAsync(stoppingToken);
                outage.Succeeded();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (outage.Failed(e, every) - every is { Ticks: > 0 } longer) await Task.Delay(longer, stoppingToken);
            }
        }
    }

    private async Task<List<Claimed>> ClaimAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(ClaimHeads);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var claimed = new List<Claimed>();
        while (await reader.ReadAsync(ct))
            claimed.Add(new Claimed(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        return claimed;
    }

    /// <summary>Removes settled rows past their retention, on every node at most once per interval (idempotent).</summary>
    private async Task PruneAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - _lastPrune < TimeSpan.FromSeconds(_options.PruneIntervalSeconds)) return;
        _lastPrune = now;
        await using var cmd = db.Command(Prune, _options.DeliveredRetentionHours, _options.ParkedRetentionHours);
        if (await cmd.ExecuteNonQueryAsync(ct) is var pruned and > 0) log.LogInformation("Pruned {Deliveries} settled webhook deliveries", pruned);
    }

    private async Task DeliverAsync(Claimed delivery, CancellationToken ct)
    {
        // In the trace of the send that caused it; its POST (HttpClient's span) is a child.
        using var span = delivery.Trace is null ? null
            : Platform.Telemetry.Source.StartActivity("webhook delivery", System.Diagnostics.ActivityKind.Internal, Platform.Telemetry.ParentOf(delivery.Trace));
        span?.SetTag("mp.attempt", delivery.Attempt);
        if (delivery.Secret is null || delivery.Payload is null)
        {
            // The webhook was removed or moved to another URL since: nothing may be signed for it.
            await SetAsync("status = 'parked', claimed_until = null, settled_at = now(), last_error = $2", delivery.Id, ct, "webhook removed or changed");
            meters.WebhookDelivery(Platform.PlatformMeters.WebhookOutcomes.Parked);
            return;
        }
        var error = await SendAsync(delivery, delivery.Secret, delivery.Payload, ct);
        if (error is null)
        {
            // Delivered: the bodies have done their work here; the row stays a while as a record.
            await SetAsync("status = 'delivered', payload = null, claimed_until = null, last_error = null, settled_at = now()", delivery.Id, ct);
            meters.WebhookDelivery(Platform.PlatformMeters.WebhookOutcomes.Delivered);
            return;
        }
        if (delivery.Attempt >= _options.MaxAttempts)
        {
            log.LogWarning("Parked webhook delivery {DeliveryId} of {SessionId} in {TenantId} after {Attempts} attempts: {Error}",
                delivery.Id, delivery.SessionId, delivery.TenantId, delivery.Attempt, error);
            await SetAsync("status = 'parked', claimed_until = null, settled_at = now(), last_error = $2", delivery.Id, ct, error);
            meters.WebhookDelivery(Platform.PlatformMeters.WebhookOutcomes.Parked);
            return;
        }
        var backoff = TimeSpan.FromMilliseconds(Math.Min(300_000, _options.FirstRetryMs * Math.Pow(2, delivery.Attempt - 1)));
        log.LogInformation("Webhook delivery {DeliveryId} of {SessionId} in {TenantId} failed ({Error}); retry in {Backoff}",
            delivery.Id, delivery.SessionId, delivery.TenantId, error, backoff);
        await SetAsync($"claimed_until = null, last_error = $2, next_attempt_at = now() + interval '{(int)backoff.TotalMilliseconds} milliseconds'",
            delivery.Id, ct, error);
        meters.WebhookDelivery(Platform.PlatformMeters.WebhookOutcomes.Failed);
    }

    /// <summary>One POST; null when answered 2xx, else what a tenant may be told (never the receiver's text).</summary>
    private async Task<string?> SendAsync(Claimed delivery, string secret, string payload, CancellationToken ct)
    {
        try
        {
            var body = Encoding.UTF8.GetBytes(payload);
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-MP-Delivery", delivery.Id);
            request.Headers.Add("X-MP-Attempt", delivery.Attempt.ToString());
            Signature.AddTo(request, secret, clock.GetUtcNow().ToUnixTimeSeconds(), body);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Timeout);
            // Only the status matters: the answer's body is never read.
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode ? null : OutboundFailure.Status((int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            log.LogInformation("Webhook delivery {DeliveryId} of {SessionId} in {TenantId} could not be sent: {Error}",
                delivery.Id, delivery.SessionId, delivery.TenantId, e.Message);
            return OutboundFailure.Describe(e);
        }
    }

    private async Task SetAsync(string assignments, string id, CancellationToken ct, string? error = null)
    {
        await using var cmd = db.Command($"update {Table} set {assignments} where id = $1", id);
        if (error is not null) cmd.Parameters.Add(new() { Value = error });
        await cmd.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
