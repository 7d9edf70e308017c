using JasperFx.Events;
using Marten;
using Marten.Events;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.EventStore;

/// <summary>A message as history shows it: the event and its place in the session stream.</summary>
public sealed record StoredMessage(long Seq, MessageSent Message);

/// <summary>
/// The one place that touches the event store: commands go through the group commit, reads go to
/// Marten. An EventStoreDB adapter would replace this class and <see cref="CommitLane"/>.
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

    /// <summary>
    /// Messages after <paramref name="afterSeq"/>, or else the last ones before <paramref name="beforeSeq"/>,
    /// ascending; one more than the limit is read to tell whether there are more.
    /// </summary>
    public async Task<(IReadOnlyList<StoredMessage> Messages, bool HasMore)> ReadMessagesAsync(
        string tenantId, string sessionId, long? afterSeq, long? beforeSeq, int limit, CancellationToken ct)
    {
        await using var session = store.QuerySession(tenantId);
        var query = session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey == sessionId && e.EventTypesAre(typeof(MessageSent)));
        if (afterSeq is { } after) query = query.Where(e => e.Version > after);
        if (beforeSeq is { } before) query = query.Where(e => e.Version < before);
        var backwards = afterSeq is null && beforeSeq is not null;
        query = backwards ? query.OrderByDescending(e => e.Version) : query.OrderBy(e => e.Version);
        var events = await query.Take(limit + 1).ToListAsync(ct);
        var hasMore = events.Count > limit;
        var page = events.Take(limit).Select(e => new StoredMessage(e.Version, (MessageSent)e.Data));
        return ([.. backwards ? page.Reverse() : page], hasMore);
    }
}
