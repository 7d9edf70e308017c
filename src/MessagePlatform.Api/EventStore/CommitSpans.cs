using System.Diagnostics;
using MessagePlatform.Api.Platform;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// The spans of one lane commit: one for the batch (current while it commits, so the database's spans
/// nest in it; linked to every caller) and one per command in its caller's trace, whose context the
/// command's events carry on to the push and the webhook. Nothing is made when nobody listens.
/// </summary>
internal sealed class CommitSpans : IDisposable
{
    private readonly Activity? _batch;
    // Made only when something listens: a lane batch without tracing allocates nothing here.
    private readonly List<Activity>? _commands;
    private readonly Activity? _outer;

    private CommitSpans(IReadOnlyList<PendingCommand> items)
    {
        _outer = Activity.Current;
        if (!Telemetry.Source.HasListeners()) return;
        var callers = items.Select(i => i.Caller).Where(c => c != default).Distinct().ToList();
        _batch = Telemetry.Source.StartActivity("commit batch", ActivityKind.Internal, parentContext: default,
            links: callers.Select(c => new ActivityLink(c)));
        _batch?.SetTag("mp.commands", items.Count);
        _commands = [];
        foreach (var item in items)
        {
            if (item.Caller == default) continue;
            var span = Telemetry.Source.StartActivity("commit", ActivityKind.Internal, item.Caller,
                links: _batch is null ? null : [new ActivityLink(_batch.Context)]);
            if (span is null) continue;
            _commands.Add(span);
            // An Activity's id is its W3C traceparent.
            item.Trace = span.Id;
        }
        // Starting a span makes it current: the batch is what the commit's own work runs under.
        Activity.Current = _batch ?? _outer;
    }

    public static CommitSpans Start(IReadOnlyList<PendingCommand> items) => new(items);

    public void Dispose()
    {
        foreach (var span in _commands ?? []) span.Stop();
        _batch?.Stop();
        Activity.Current = _outer;
    }
}
