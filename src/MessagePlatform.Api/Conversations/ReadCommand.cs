using MessagePlatform.Api.EventStore;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Conversations;

/// <summary>
/// A read mark, decided in the session's lane against the mark the read-marks table holds. That table
/// is written inline with each <see cref="ConversationRead"/>, so what <see cref="PrepareAsync"/> reads is
/// current: a mark another node commits after it moves the stream's version and makes this attempt conflict.
/// </summary>
public sealed record ReadCommand(string TenantId, MarkRead Read, Func<CancellationToken, Task<long>> LoadMark)
    : StreamCommand(TenantId, Read.SessionId)
{
    /// <summary>The user's mark before this command (0 for none).</summary>
    public long Mark { get; private set; }

    public override async Task PrepareAsync(CancellationToken ct) => Mark = await LoadMark(ct);

    public override Decision Decide(Session? state, StreamContext context) => Decide(state, long.MaxValue, context);

    public override Decision Decide(Session? state, long version, StreamContext context) =>
        ReadRules.Decide(state, Mark, version, Read, context.Now);
}
