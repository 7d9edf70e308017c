using MessagePlatform.Api.Platform;
using System.Net.Http.Headers;
using System.Text;
using MessagePlatform.Api.Hooks;
using MessagePlatform.Projections;
using Npgsql;

namespace MessagePlatform.Api.Webhooks;

/// <summary>
/// Sends the outbox's deliveries, on every node. Only the oldest pending delivery of a session can
/// be claimed (row lock, skip locked, then a 30 s claim), so a session's deliveries leave one at a
/// time and in seq order whichever node sends them. A non-2xx answer or a timeout is retried with
/// exponential backoff (1 s, doubling, at most 5 min); after MaxAttempts (6) the delivery
/// is parked for an operator to see and replay, and the session's next delivery goes on.
/// </summary>
public sealed class WebhookDispatcher(
    NpgsqlDataSource db, IHttpClientFactory http, TimeProvider clock, IConfiguration config, ILogger<WebhookDispatcher> log)
    : BackgroundService
{
    public const string HttpClientName = "webhooks";

    /// <summary>Tries before parking (configuration `Webhooks:MaxAttempts`, default 6).</summary>
    private readonly int _maxAttempts = Math.Clamp(config.GetValue("Webhooks:MaxAttempts", 6), 1, 50);

    /// <summary>The first retry's delay, doubling after (configuration `Webhooks:FirstRetryMs`, default 1,000).</summary>
    private readonly double _firstRetryMs = Math.Clamp(config.GetValue("Webhooks:FirstRetryMs", 1000), 10, 60_000);

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly string Table = ReadModels.Qualified(WebhookTables.Deliveries);

    private static readonly string ClaimHeads = $"""
        with heads as (
          select distinct on (tenant_id, session_id) id from {Table}
          where status = 'pending' order by tenant_id, session_id, first_seq)
        update {Table} d set claimed_until = now() + interval '30 seconds', attempts = d.attempts + 1
        where d.id in (
          select d2.id from {Table} d2 join heads h on h.id = d2.id
          where d2.next_attempt_at <= now() and (d2.claimed_until is null or d2.claimed_until < now())
          limit 32 for update of d2 skip locked)
        returning d.id, d.tenant_id, d.session_id, d.url, d.secret, d.payload::text, d.attempts
        """;

    private sealed record Claimed(string Id, string TenantId, string SessionId, string Url, string Secret, string Payload, int Attempt);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var claimed = await ClaimAsync(stoppingToken);
                await Task.WhenAll(claimed.Select(d => DeliverAsync(d, stoppingToken)));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Webhook dispatch round failed; trying again");
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
                reader.GetString(4), reader.GetString(5), reader.GetInt32(6)));
        return claimed;
    }

    private async Task DeliverAsync(Claimed delivery, CancellationToken ct)
    {
        string? error;
        try
        {
            var body = Encoding.UTF8.GetBytes(delivery.Payload);
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-MP-Delivery", delivery.Id);
            request.Headers.Add("X-MP-Attempt", delivery.Attempt.ToString());
            Signature.AddTo(request, delivery.Secret, clock.GetUtcNow().ToUnixTimeSeconds(), body);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Timeout);
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            error = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            error = e is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds} s" : e.Message;
        }

        if (error is null)
        {
            await SetAsync("status = 'delivered', claimed_until = null, last_error = null", delivery.Id, ct);
            return;
        }
        if (delivery.Attempt >= _maxAttempts)
        {
            log.LogWarning("Parked webhook delivery {DeliveryId} of {SessionId} in {TenantId} after {Attempts} attempts: {Error}",
                delivery.Id, delivery.SessionId, delivery.TenantId, delivery.Attempt, error);
            await SetAsync("status = 'parked', claimed_until = null, last_error = $2", delivery.Id, ct, error);
            return;
        }
        var backoff = TimeSpan.FromMilliseconds(Math.Min(300_000, _firstRetryMs * Math.Pow(2, delivery.Attempt - 1)));
        log.LogInformation("Webhook delivery {DeliveryId} of {SessionId} in {TenantId} failed ({Error}); retry in {Backoff}",
            delivery.Id, delivery.SessionId, delivery.TenantId, error, backoff);
        await SetAsync($"claimed_until = null, last_error = $2, next_attempt_at = now() + interval '{(int)backoff.TotalMilliseconds} milliseconds'",
            delivery.Id, ct, error);
    }

    private async Task SetAsync(string assignments, string id, CancellationToken ct, string? error = null)
    {
        await using var cmd = db.Command($"update {Table} set {assignments} where id = $1", id);
        if (error is not null) cmd.Parameters.Add(new() { Value = error });
        await cmd.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
