using Marten;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// With <see cref="GroupCommit"/>, the one place that touches the event store: session commands go
/// to the group commit, reads and the appends to streams that are not sessions come here. An
/// EventStoreDB adapter would replace this folder. Read models (session chain, user chain) are
/// PostgreSQL tables the projections keep, read elsewhere.
/// </summary>
public sealed class SessionStreams(IDocumentStore store)
{
    public async Task<(Session? Session, long LastSeq)> LoadAsync(string tenantId, string sessionId, CancellationToken ct)
    {
        await using var session = store.QuerySession(tenantId);
        var batch = session.CreateBatchQuery();
        var doc = batch.Load<Session>(sessionId);
        var stream = batch.Events.FetchStreamState(sessionId);
        await batch.Execute(ct);
        return (await doc, (await stream)?.Version ?? 0);
    }

    /// <summary>A unit of work for read-model rows that go with no event.</summary>
    public IDocumentSession Writer(string tenantId) => store.LightweightSession(tenantId);

    /// <summary>The version of a stream that is not a session (a user's tags), 0 when it has none yet.</summary>
    public async Task<long> VersionAsync(string tenantId, string streamKey, CancellationToken ct)
    {
        await using var session = store.QuerySession(tenantId);
        return (await session.Events.FetchStreamStateAsync(streamKey, ct))?.Version ?? 0;
    }

    /// <summary>
    /// Appends to a stream that is not a session (tags, broadcasts, presence, keys, token revocations),
    /// expecting <paramref name="expectedVersion"/>, with <paramref name="alongside"/>'s writes in the same
    /// transaction. Such streams change rarely and from one caller at a time, so they skip the commit
    /// lanes; a concurrent change fails here (<see cref="StreamConflicts"/>) for the caller to decide
    /// again, and a transient database failure is retried (<see cref="TransientFailures"/>).
    /// </summary>
    public async Task AppendAsync(string tenantId, string streamKey, long expectedVersion, IReadOnlyList<object> events,
        Action<IDocumentOperations> alongside, CancellationToken ct)
    {
        // Taken here: a retry may run where the caller's flow is no longer current.
        var origin = Access.CommandOrigin.Current;
        var trace = Platform.Telemetry.CurrentParent();
        await TransientFailures.Retry.ExecuteAsync(async token =>
        {
            await using var session = store.LightweightSession(tenantId);
            // Stamped like the lanes' events: an auditor sees who set a tag or sent a broadcast ("system" for presence).
            var stamped = events.Select(e => (object)CommitLane.Stamped(session, e, origin, trace)).ToArray();
            if (expectedVersion == 0) session.Events.StartStream(streamKey, stamped);
            else session.Events.Append(streamKey, expectedVersion + events.Count, stamped);
            alongside(session);
            await session.SaveChangesAsync(token);
        }, ct);
    }
}
