using MessagePlatform.Domain;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// A command on one message that a read model knows (an edit, a reaction, a pin): the target is read
/// in the lane before every attempt, after the session's state, as a retraction's is, and the pure
/// rule decides against both.
/// </summary>
public sealed record TargetedCommand<TTarget>(
    string TenantId, string SessionId, Func<CancellationToken, Task<TTarget?>> LoadTarget,
    Func<Session?, TTarget?, DateTimeOffset, Decision> Rule, string? Once = null)
    : StreamCommand(TenantId, SessionId) where TTarget : class
{
    public TTarget? Target { get; private set; }

    public override async Task PrepareAsync(CancellationToken ct) => Target = await LoadTarget(ct);

    public override Decision Decide(Session? state, StreamContext context) => Rule(state, Target, context.Now);

    public override string? OnceKey => Once;
}
