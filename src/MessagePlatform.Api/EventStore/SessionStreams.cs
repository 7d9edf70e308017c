using Marten;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// The one place that touches the event store: commands go through the group commit, reads go to
/// Marten. An EventStoreDB adapter would replace this class and <see cref="CommitLane"/>. Read
/// models (session chain, user chain) are PostgreSQL tables the projections keep, read elsewhere.
/// </summary>
public sealed class SessionStreams(GroupCommit commits, IDocumentStore store)
{
    public Task<StreamOutcome> ExecuteAsync(StreamCommand command, CancellationToken ct) =>
        commits.ExecuteAsync(command, ct);

    public async Task<(Session? Session, long LastSeq)> LoadAsync(string tenantId, string sessionId, CancellationToken ct)
    {
        await using var session = store.QuerySession(tenantId);
        var batch = session.CreateBatchQuery();
        var doc = batch.Load<Session>(sessionId);
        var stream = batch.Events.FetchStreamState(sessionId);
        await batch.Execute(ct);
        return (await doc, (await stream)?.Version ?? 0);
    }
}
