using System.Collections.Concurrent;
using System.Diagnostics;
using Marten;
using Marten.Events.Daemon.Coordination;
using MessagePlatform.Projections.SessionChain;
using MessagePlatform.Projections.UserChain;

namespace MessagePlatform.Api.Daemon;

/// <summary>A rebuild as an operator follows it: running, completed or failed (with why), and how long it took.</summary>
public sealed record RebuildView(
    string RebuildId, string Status, IReadOnlyList<string> Projections, long Events, DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt, long? ElapsedMs, string? Error);

/// <summary>What asking for a rebuild came to.</summary>
public abstract record RebuildStart
{
    public sealed record Started(RebuildView Rebuild) : RebuildStart;

    public sealed record AlreadyRunning(RebuildView Rebuild) : RebuildStart;

    public sealed record NotProjectionNode : RebuildStart;
}

/// <summary>
/// Rebuilds the read models from the events, on the node that holds the projections (the daemon's
/// leader). A rebuild runs on its own, not on the request that asked for it: the request answers at
/// once, a client that goes away cancels nothing, and only the node's shutdown stops it. One at a
/// time. Whatever happens, the async projection it stopped is started again, so a failed rebuild
/// never leaves timelines frozen. History may look short while the session chain replays.
/// </summary>
public sealed class ProjectionRebuilds(
    IProjectionCoordinator coordinator, IDocumentStore store, ProjectionLag lag, IHostApplicationLifetime lifetime, TimeProvider clock,
    ILogger<ProjectionRebuilds> log)
{
    public static readonly string[] Projections =
    [
        SessionChainProjection.ProjectionName, MessageReactionsProjection.ProjectionName, SessionPinsProjection.ProjectionName,
        UserChainProjection.ProjectionName,
    ];
    private const int Kept = 20;

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, RebuildView> _runs = new();
    private string? _running;

    public RebuildView? Find(string rebuildId) => _runs.GetValueOrDefault(rebuildId);

    public RebuildStart Start()
    {
        var daemon = coordinator.DaemonForMainDatabase();
        if (!daemon.IsRunning || daemon.CurrentAgents().Count == 0) return new RebuildStart.NotProjectionNode();
        RebuildView view;
        lock (_gate)
        {
            if (_running is { } id && _runs.TryGetValue(id, out var running)) return new RebuildStart.AlreadyRunning(running);
            view = new RebuildView(Guid.NewGuid().ToString("N"), "running", Projections, 0, clock.GetUtcNow(), null, null, null);
            _runs[view.RebuildId] = view;
            _running = view.RebuildId;
            foreach (var old in _runs.Values.Where(r => r.Status != "running").OrderByDescending(r => r.StartedAt).Skip(Kept))
                _runs.TryRemove(old.RebuildId, out _);
        }
        _ = Task.Run(() => RunAsync(view, daemon, lifetime.ApplicationStopping));
        return new RebuildStart.Started(view);
    }

    private async Task RunAsync(RebuildView view, JasperFx.Events.Daemon.IProjectionDaemon daemon, CancellationToken ct)
    {
        var elapsed = Stopwatch.StartNew();
        try
        {
            var head = (await lag.MeasureAsync(ct)).Head;
            _runs[view.RebuildId] = view = view with { Events = head };
            foreach (var name in Projections)
            {
                log.LogInformation("Rebuild {RebuildId}: rebuilding {Projection} over {Events} events", view.RebuildId, name, head);
                using var progress = ReportProgress(name, head);
                await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), ct);
                log.LogInformation("Rebuild {RebuildId}: rebuilt {Projection} in {ElapsedMs} ms", view.RebuildId, name, elapsed.ElapsedMilliseconds);
            }
            view = view with { Status = "completed" };
        }
        catch (Exception e)
        {
            log.LogError(e, "Rebuild {RebuildId} failed after {ElapsedMs} ms", view.RebuildId, elapsed.ElapsedMilliseconds);
            view = view with { Status = "failed", Error = e.GetType().Name + ": " + e.Message };
        }
        finally
        {
            // A rebuild on the running daemon leaves the async shard stopped, also when it failed midway:
            // projecting new events resumes here, or every timeline would stay where the rebuild left it.
            await RestartAsync(daemon, view.RebuildId);
            lock (_gate)
            {
                _runs[view.RebuildId] = view with { FinishedAt = clock.GetUtcNow(), ElapsedMs = elapsed.ElapsedMilliseconds };
                _running = null;
            }
        }
    }

    private async Task RestartAsync(JasperFx.Events.Daemon.IProjectionDaemon daemon, string rebuildId)
    {
        var shard = $"{UserChainProjection.ProjectionName}:All";
        try
        {
            // A shard that runs already is left as it is.
            await daemon.StartAgentAsync(shard, CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogError(e, "Rebuild {RebuildId}: could not start {Shard} again; the daemon's leadership check will", rebuildId, shard);
        }
    }

    /// <summary>Logs the rebuild's position every second until disposed: long work shows progress.</summary>
    private IDisposable ReportProgress(string projection, long head)
    {
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                var progress = await store.Advanced.AllProjectionProgress(token: stop.Token);
                var at = progress.FirstOrDefault(p => p.ShardName.StartsWith(projection))?.Sequence ?? 0;
                log.LogInformation("Rebuilding {Projection}: {Sequence} of {Head} events ({Percent:0}%)",
                    projection, at, head, head == 0 ? 100 : 100.0 * at / head);
            }
        });
        return stop;
    }
}
