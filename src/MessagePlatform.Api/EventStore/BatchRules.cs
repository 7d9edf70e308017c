using MessagePlatform.Domain;

namespace MessagePlatform.Api.EventStore;

/// <summary>A session of a lane's batch as the lane holds it: state, version, and whether it was loaded just now (not cached).</summary>
internal readonly record struct SessionAtHand(Session? State, long Version, bool Fresh);

/// <summary>An event to append, with the position in the batch of the command that caused it (whose caller it is stamped with).</summary>
internal readonly record struct BatchEvent(int Command, object Data);

/// <summary>What one session's commands append: events after version <see cref="Expected"/>, leaving the session in <see cref="State"/>.</summary>
internal sealed record SessionAppend(string SessionId, long Expected, IReadOnlyList<BatchEvent> Events, Session? State)
{
    public long Version => Expected + Events.Count;
}

/// <summary>
/// What a lane's batch of one tenant comes to. Either <see cref="Stale"/> names the sessions whose
/// cached state refused a command or found nothing to do, and nothing else is decided (the lane
/// reloads them and decides again); or every command has its outcome, in the batch's order.
/// </summary>
internal sealed record BatchDecision(
    IReadOnlyList<SessionAppend> Appends, IReadOnlyList<SendReceipt> Receipts, IReadOnlyList<StreamOutcome> Outcomes,
    IReadOnlySet<string> Stale)
{
    public static BatchDecision StaleOn(IReadOnlySet<string> sessions) => new([], [], [], sessions);
}

/// <summary>
/// The lane's decision over one batch, without I/O: per session, in arrival order, each command is
/// answered from an earlier receipt (a repeated clientMsgId), done once per <see cref="StreamCommand.OnceKey"/>,
/// or decided against the state the commands before it left.
/// </summary>
internal static class BatchRules
{
    public static BatchDecision Decide(
        string tenantId, IReadOnlyList<StreamCommand> commands, IReadOnlyDictionary<string, SessionAtHand> sessions,
        IReadOnlyDictionary<(string Session, string From, string ClientMsgId), SendReceipt> known, RecentReceipts recent,
        StreamContext context)
    {
        var outcomes = new StreamOutcome[commands.Count];
        var appends = new List<SessionAppend>();
        var receipts = new List<SendReceipt>();
        var stale = new HashSet<string>();
        foreach (var stream in Enumerable.Range(0, commands.Count).GroupBy(i => commands[i].SessionId))
        {
            var at = sessions[stream.Key];
            var (state, version) = (at.State, at.Version);
            var events = new List<BatchEvent>();
            var firstSend = new Dictionary<(string, string), SendReceipt>();
            var doneInBatch = new HashSet<string>();
            foreach (var index in stream)
            {
                var command = commands[index];
                if (command is SendCommand send)
                {
                    var (from, clientMsgId) = (send.Send.From, send.Send.ClientMsgId);
                    if (known.TryGetValue((stream.Key, from, clientMsgId), out var earlier)
                        || firstSend.TryGetValue((from, clientMsgId), out earlier)
                        || recent.TryGet(tenantId, stream.Key, state?.OpenedAt, from, clientMsgId, out earlier))
                    {
                        outcomes[index] = new StreamOutcome(null, state, version, [], earlier);
                        continue;
                    }
                }
                var once = command.OnceKey;
                var doneEarlierInBatch = once is not null && doneInBatch.Contains(once);
                var decision = doneEarlierInBatch ? Decision.Nothing : command.Decide(state, version, context);
                if (once is not null && decision.Events.Count > 0) doneInBatch.Add(once);
                var noOp = decision.Events.Count == 0 && decision.Rejection is null && !doneEarlierInBatch;
                if ((decision.Rejection is not null || noOp) && !at.Fresh)
                {
                    stale.Add(stream.Key);
                    break;
                }
                if (decision.Rejection is { } rejection)
                {
                    outcomes[index] = new StreamOutcome(rejection, state, version, [], null);
                    continue;
                }
                var appended = new List<AppendedEvent>(decision.Events.Count);
                foreach (var e in decision.Events)
                {
                    ++version;
                    state = e is SessionOpened opened ? Session.Open(opened) : state?.Evolve(e, version);
                    events.Add(new BatchEvent(index, e));
                    appended.Add(new AppendedEvent(version, e));
                    if (e is MessageSent sent && command is SendCommand sc)
                    {
                        var receipt = new SendReceipt(stream.Key, sent.From, sent.ClientMsgId, sent.MsgId, version, sent.SentAt);
                        receipts.Add(receipt);
                        firstSend[(sc.Send.From, sc.Send.ClientMsgId)] = receipt;
                    }
                }
                outcomes[index] = new StreamOutcome(null, state, version, appended, null);
            }
            if (events.Count > 0 && !stale.Contains(stream.Key)) appends.Add(new SessionAppend(stream.Key, at.Version, events, state));
        }
        // Nothing is answered while any answer would rest on stale state: the next attempt decides all again.
        return stale.Count > 0 ? BatchDecision.StaleOn(stale) : new BatchDecision(appends, receipts, outcomes, stale);
    }
}
