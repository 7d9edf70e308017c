using System.Diagnostics;
using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Api.Webhooks;
using MessagePlatform.Projections.UserChain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MessagePlatform.Api.Gc;

public sealed record GcPassReport(
    int Erasures, int SessionsVisited, long MessagesRemoved, long TimelineEntriesRemoved, long ElapsedMs, int SessionsFailed = 0);

/// <summary>
/// Runs GC passes on one host at a time: every node's worker tries a PostgreSQL advisory lock each
/// interval (or when woken by an erasure request), and the one that gets it runs the pass. A pass
/// finishes pending erasures (and those held sessions of earlier ones whose hold was lifted), applies each due session's policy in steps and each tenant's broadcast
/// retention, then sweeps timelines. A session whose step fails is recorded, logged and tried again
/// in a later pass (with backoff); the pass goes on with the others.
/// </summary>
public sealed class GcWorker(
    NpgsqlDataSource db, IDocumentStore store, HistoryCollector history, BroadcastCollector broadcasts, TimelineSweeper timelines,
    Erasures erasures, GcDue schedule, GcHealth health, TimeProvider clock,
    IOptions<GcOptions> options, ILogger<GcWorker> log) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>The daemon's shards whose progress bounds what GC may remove.</summary>
    private static readonly string[] Readers =
        [UserChainProjection.ProjectionName, RealtimePublisher.SubscriptionId, WebhookOutbox.SubscriptionId];

    private GcOptions Options => options.Value;

    // Timelines expire by days: sweeping them (a join over the tenant's chains) every pass would be
    // work for nothing most of the time.
    private TimeSpan SweepEvery => TimeSpan.FromMinutes(Options.TimelineSweepMinutes);
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    /// <summary>Asks this node's worker for a pass now (an erasure was requested) instead of at the next interval.</summary>
    public void Wake() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(Options.Interval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            if (stoppingToken.IsCancellationRequested) return;
            try
            {
                await RunPassAsync(sweepTimelines: false, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "GC pass failed; the next interval tries again");
            }
        }
    }

    /// <summary>
    /// Runs one pass if no other node is running one; null when another is. Timelines are swept when
    /// asked, or when the last sweep is older than `Gc:TimelineSweepMinutes`.
    /// </summary>
    public async Task<GcPassReport?> RunPassAsync(bool sweepTimelines, CancellationToken ct)
    {
        await using var pass = await ClusterLock.TryTakeAsync(db, ClusterLock.Gc, ct);
        if (pass is null) return null;
        try
        {
            var report = await PassAsync(sweepTimelines, ct);
            health.PassCompleted(report, await schedule.FailingAsync(Options.DegradedAfterFailures, ct));
            return report;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            health.PassFailed(e);
            throw;
        }
    }

    private bool _adopted;

    private async Task<GcPassReport> PassAsync(bool sweepTimelines, CancellationToken ct)
    {
        var elapsed = Stopwatch.StartNew();
        if (!_adopted)
        {
            // Once per process: sessions from before the schedule existed join it.
            if (await schedule.AdoptUnscheduledAsync(clock.GetUtcNow(), ct) is > 0 and var adopted)
                log.LogInformation("GC schedule: {Sessions} sessions stored before it was kept are due now", adopted);
            _adopted = true;
        }
        var erased = await erasures.CompletePendingAsync(ct);
        // An erasure that skipped a held session finishes it in the first pass after the hold is lifted.
        await erasures.FinishLiftedHoldsAsync(ct);
        var safe = await SafeSequenceAsync(ct);
        var (visited, removed, failed) = await CollectSessionsAsync(safe, ct);
        removed += await broadcasts.CollectAsync(safe, ct);
        var now = DateTimeOffset.UtcNow;
        var swept = 0L;
        if (sweepTimelines || now - _lastSweep >= SweepEvery)
        {
            swept = await timelines.SweepAsync(ct);
            _lastSweep = now;
        }
        var report = new GcPassReport(erased, visited, removed, swept, elapsed.ElapsedMilliseconds, failed);
        log.LogInformation("GC pass: {Erasures} erasures, {Sessions} sessions visited ({Failed} failed), {Messages} messages and {Entries} timeline entries removed in {ElapsedMs} ms",
            report.Erasures, report.SessionsVisited, report.SessionsFailed, report.MessagesRemoved, report.TimelineEntriesRemoved, report.ElapsedMs);
        return report;
    }

    /// <summary>Visits every session due now (the GC schedule's index), page by page, in steps per session.</summary>
    private async Task<(int Visited, long Removed, int Failed)> CollectSessionsAsync(long safe, CancellationToken ct)
    {
        var (visited, removed, failed) = (0, 0L, 0);
        var now = clock.GetUtcNow();
        GcDue.Entry? after = null;
        while (true)
        {
            var page = await schedule.DueAsync(now, after, ct);
            foreach (var due in page)
            {
                visited++;
                try
                {
                    // A step removes at most a batch; a stream with a long head takes several.
                    while (await history.CollectAsync(due.TenantId, due.SessionId, safe, ct) is { } record)
                    {
                        removed += record.Count;
                        if (record.Count < HistoryCollector.BatchMessages) break;
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // This session alone: its step rolled back, the others go on.
                    failed++;
                    var failures = await schedule.RecordFailureAsync(due.TenantId, due.SessionId, e.Message, clock.GetUtcNow(), Options, ct);
                    log.LogError(e, "GC of {SessionId} in {TenantId} failed ({Failures} in a row); a later pass tries again",
                        due.SessionId, due.TenantId, failures);
                }
                if (visited % 1_000 == 0) log.LogInformation("GC pass: {Sessions} sessions visited, {Messages} messages removed", visited, removed);
            }
            if (page.Count < GcDue.Page) return (visited, removed, failed);
            after = page[^1];
        }
    }

    /// <summary>The lowest event sequence every reader of the store has passed; 0 until all have started.</summary>
    private async Task<long> SafeSequenceAsync(CancellationToken ct)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var passed = Readers.Select(r => progress.FirstOrDefault(p => p.ShardName.StartsWith(r))?.Sequence).ToList();
        return passed.Any(p => p is null) ? 0 : passed.Min(p => p!.Value);
    }
}
