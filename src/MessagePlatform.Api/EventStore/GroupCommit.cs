using System.Threading.Channels;
using Marten;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// The write path. Appends into one stream from many writers collapse on version conflicts, and
/// one transaction per message caps throughput at the commit rate. So every session belongs to one
/// in-process lane (hash of tenant and session): a lane decides its commands in arrival order
/// against the session's current state, and commits all that waited meanwhile, across sessions, in
/// one transaction. Each caller is answered only after that commit.
/// </summary>
public sealed class GroupCommit(
    IDocumentStore store, SendReceipts receipts, MsgIds msgIds, TimeProvider clock,
    PlatformOptions platform, IOptions<LaneOptions> options, PlatformMeters meters, ILogger<GroupCommit> log) : BackgroundService
{
    // Bounded: a node that cannot commit as fast as it is asked says so (503) instead of holding
    // ever more waiting callers in memory.
    private readonly Channel<PendingCommand>[] _lanes = Enumerable.Range(0, platform.CommitLanes)
        .Select(_ => Channel.CreateBounded<PendingCommand>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        }))
        .ToArray();

    /// <summary>Queues the command in its session's lane and waits for its commit; <see cref="LaneFullException"/> when the lane is full.</summary>
    public async Task<StreamOutcome> ExecuteAsync(StreamCommand command, CancellationToken ct)
    {
        var pending = new PendingCommand(command);
        var lane = (int)((uint)HashCode.Combine(command.TenantId, command.SessionId) % (uint)_lanes.Length);
        if (!_lanes[lane].Writer.TryWrite(pending))
        {
            log.LogWarning("Lane {Lane} is full; refusing a command on {SessionId} of {TenantId}", lane, command.SessionId, command.TenantId);
            throw new LaneFullException();
        }
        // The caller may give up waiting, but the command stays queued: once a lane has it, it commits.
        return await pending.Done.Task.WaitAsync(ct);
    }

    // One for all lanes: an outage is the store's, not a lane's, and is logged once.
    private readonly OutageLog _outage = new(log, "Commit lanes");

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_lanes.Select(lane =>
            new CommitLane(lane.Reader, store, receipts, msgIds, clock, options.Value.SessionCacheCapacity, meters, log, _outage).RunAsync(stoppingToken)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let the lanes drain what callers are already waiting for before the host goes.
        foreach (var lane in _lanes) lane.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }
}

public sealed class PendingCommand(StreamCommand command)
{
    public StreamCommand Command { get; } = command;
    public TaskCompletionSource<StreamOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Taken from the caller's flow when it enqueues: the lane runs on its own and cannot see it later.</summary>
    public CommandOrigin Origin { get; } = CommandOrigin.Current;

    /// <summary>The caller's span when it enqueued (none without tracing): its commit span is a child of it.</summary>
    public System.Diagnostics.ActivityContext Caller { get; } = System.Diagnostics.Activity.Current?.Context ?? default;

    /// <summary>The traceparent of this command's commit span, stamped on its events while the lane commits it.</summary>
    public string? Trace { get; set; }

    /// <summary>When it was queued (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), for the queue-wait meter.</summary>
    public long EnqueuedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();
}
