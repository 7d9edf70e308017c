using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace MessagePlatform.Projections;

/// <summary>
/// An <see cref="EventProjection"/> that is handed all events of one commit (inline) or of one daemon
/// page (async) at once, so it writes them in a few set-based statements instead of one per event.
/// It re-declares the two interfaces Marten calls with a whole batch (as Marten's own
/// FlatTableProjection implements them) and keeps what EventProjection brings: schema objects,
/// teardown on rebuild, and the filter by event type.
/// </summary>
public abstract partial class SetBasedProjection : EventProjection, IInlineProjection<IDocumentOperations>, IJasperFxProjection<IDocumentOperations>
{
    /// <summary>Queues the statements for <paramref name="events"/>, in their order (sequence order for the daemon).</summary>
    protected abstract void ApplyPage(IDocumentOperations operations, IReadOnlyList<IEvent> events);

    Task IInlineProjection<IDocumentOperations>.ApplyAsync(
        IDocumentOperations operations, IEnumerable<StreamAction> streams, CancellationToken cancellation)
    {
        ApplyPage(operations, streams.SelectMany(s => s.Events).ToList());
        return Task.CompletedTask;
    }

    Task IJasperFxProjection<IDocumentOperations>.ApplyAsync(
        IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        ApplyPage(operations, events);
        return Task.CompletedTask;
    }

    /// <summary>Anything that applies one event alone applies a page of one.</summary>
    public sealed override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        ApplyPage(operations, [e]);
        return ValueTask.CompletedTask;
    }
}
