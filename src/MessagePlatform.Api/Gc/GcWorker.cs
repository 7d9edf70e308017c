using System.Diagnostics;
using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Api.Webhooks;
using MessagePlatform.Projections.UserChain;
using Npgsql;

namespace MessagePlatform.Api.Gc;

public sealed record GcPassReport(int Erasures, int SessionsVisited, long MessagesRemoved, long TimelineEntriesRemoved, long ElapsedMs);

/// <summary>
/// Runs GC passes on one host at a time: every node's worker tries a PostgreSQL advisory lock each
/// interval (or when woken by an erasure request), and the one that gets it runs the pass. A pass
/// finishes pending erasures, applies each session's policy in steps and each tenant's broadcast
/// retention, then sweeps timelines.
/// </summary>
public sealed class GcWorker(
    NpgsqlDataSource db, IDocumentStore store, HistoryCollector history, BroadcastCollector broadcasts, TimelineSweeper timelines,
    Erasures erasures,
    IConfiguration config, ILogger<GcWorker> log) : BackgroundService
{
    private const int CandidatePage = 500;
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>The daemon's shards whose progress bounds what GC may remove.</summary>
    private static readonly string[] Readers =
        [UserChainProjection.ProjectionName, RealtimePublisher.SubscriptionId, WebhookOutbox.SubscriptionId];

    private TimeSpan Interval => TimeSpan.FromSeconds(config.GetValue("Gc:IntervalSeconds", 60));

    // Timelines expire by days: sweeping them (a join over the tenant's chains) every pass would be
    // work for nothing most of the time.
    private TimeSpan SweepEvery => TimeSpan.FromMinutes(config.GetValue("Gc:TimelineSweepMinutes", 60));
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    /// <summary>Asks this node's worker for a pass now (an erasure was requested) instead of at the next interval.</summary>
    public void Wake() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(Interval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
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
        var clock = Stopwatch.StartNew();
        var erased = await erasures.CompletePendingAsync(ct);
        var safe = await SafeSequenceAsync(ct);
        var (visited, removed) = await CollectSessionsAsync(pass.Connection, safe, ct);
        removed += await broadcasts.CollectAsync(safe, ct);
        var now = DateTimeOffset.UtcNow;
        var swept = 0L;
        if (sweepTimelines || now - _lastSweep >= SweepEvery)
        {
            swept = await timelines.SweepAsync(ct);
            _lastSweep = now;
        }
        var report = new GcPassReport(erased, visited, removed, swept, clock.ElapsedMilliseconds);
        log.LogInformation("GC pass: {Erasures} erasures, {Sessions} sessions visited, {Messages} messages and {Entries} timeline entries removed in {ElapsedMs} ms",
            report.Erasures, report.SessionsVisited, report.MessagesRemoved, report.TimelineEntriesRemoved, report.ElapsedMs);
        return report;
    }

    /// <summary>Visits every session whose policy may remove something, page by page, in steps per session.</summary>
    private async Task<(int Visited, long Removed)> CollectSessionsAsync(NpgsqlConnection connection, long safe, CancellationToken ct)
    {
        var (visited, removed) = (0, 0L);
        var after = ("", "");
        while (true)
        {
            var page = await CandidatesAsync(connection, after, ct);
            foreach (var (tenantId, sessionId) in page)
            {
                visited++;
                // A step removes at most a batch; a stream with a long head takes several.
                while (await history.CollectAsync(tenantId, sessionId, safe, ct) is { } record)
                {
                    removed += record.Count;
                    if (record.Count < HistoryCollector.BatchMessages) break;
                }
                if (visited % 1_000 == 0) log.LogInformation("GC pass: {Sessions} sessions visited, {Messages} messages removed", visited, removed);
            }
            if (page.Count < CandidatePage) return (visited, removed);
            after = page[^1];
        }
    }

    // Sessions not held, whose policy removes something by time or count, or which closed under
    // onClose "delete". A ring buffer is skipped while its stream is shorter than N events.
    private static readonly string CandidatesSql = $"""
        select d.tenant_id, d.id from {EventStoreConfig.Schema}.mt_doc_session d
        join {EventStoreConfig.Schema}.mt_streams s on s.tenant_id = d.tenant_id and s.id = d.id
        where coalesce((d.data ->> 'LegalHold')::boolean, false) = false
          and ((d.data ->> 'Closed')::boolean and d.data -> 'Policy' ->> 'OnClose' = 'delete'
               or d.data -> 'Policy' ->> 'Retention' like 'days:%'
               or d.data -> 'Policy' ->> 'Retention' like 'last:%'
                  and s.version - s.compacted_version > split_part(d.data -> 'Policy' ->> 'Retention', ':', 2)::bigint)
          and (d.tenant_id, d.id) > ($1, $2)
        order by d.tenant_id, d.id limit {CandidatePage}
        """;

    private static async Task<List<(string, string)>> CandidatesAsync(NpgsqlConnection connection, (string, string) after, CancellationToken ct)
    {
        await using var cmd = connection.Command(CandidatesSql, after.Item1, after.Item2);
        var page = new List<(string, string)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) page.Add((reader.GetString(0), reader.GetString(1)));
        return page;
    }

    /// <summary>The lowest event sequence every reader of the store has passed; 0 until all have started.</summary>
    private async Task<long> SafeSequenceAsync(CancellationToken ct)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var passed = Readers.Select(r => progress.FirstOrDefault(p => p.ShardName.StartsWith(r))?.Sequence).ToList();
        return passed.Any(p => p is null) ? 0 : passed.Min(p => p!.Value);
    }
}
