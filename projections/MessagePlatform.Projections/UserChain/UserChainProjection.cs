using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using MessagePlatform.Domain;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Projections.UserChain;

/// <summary>
/// The user chain (write diffusion), the read feed and the broadcasts (read diffusion), run by the async daemon.
/// Why the daemon: positions are numbers a sync cursor moves past, so a reader must never see
/// position 12 before 11 commits. The daemon is the only writer of these tables, reads events
/// in sequence order and only up to the high-water mark (no gaps behind it), and commits these
/// rows with its progress in one transaction; a position is derived from the event's sequence,
/// so every committed position has all smaller ones committed before it.
/// Each statement is set-based, whatever the number of members: one per membership event, and one
/// per run of a session's messages in a page (membership does not change within a run, so the run
/// fans out exactly as its messages one by one would).
/// </summary>
public sealed partial class UserChainProjection : SetBasedProjection
{
    public const string ProjectionName = "UserChain";

    private readonly HistoryOnJoinLimits _history;
    private readonly ReadItemLimits _readItems;

    public UserChainProjection(HistoryOnJoinLimits? historyOnJoin = null, ReadItemLimits? readItems = null)
    {
        _history = (historyOnJoin ?? new HistoryOnJoinLimits()).Validated();
        _readItems = (readItems ?? new ReadItemLimits()).Validated();
        Name = ProjectionName;
        IncludeType<SessionOpened>();
        IncludeType<MembersJoined>();
        IncludeType<MemberLeft>();
        IncludeType<DiffusionSwitched>();
        IncludeType<MessageSent>();
        IncludeType<MessageRetracted>();
        IncludeType<Compacted<Session>>();
        IncludeType<BroadcastSent>();
        // Everyday chat: each is an item of its own (seq = its version; details in the chat items).
        IncludeType<MessageEdited>();
        IncludeType<ReactionAdded>();
        IncludeType<ReactionRemoved>();
        IncludeType<MessagePinned>();
        IncludeType<MessageUnpinned>();
        IncludeType<ConversationRead>();
        foreach (var table in UserChainTables.All())
        {
            SchemaObjects.Add(table);
            Options.DeleteDataInTableOnTeardown(table.Identifier.QualifiedName);
        }
    }

    protected override void ApplyPage(IDocumentOperations operations, IReadOnlyList<IEvent> events)
    {
        var runs = new Dictionary<(string Tenant, string Session), MessageRun>();
        foreach (var e in events)
        {
            var key = (e.TenantId, e.StreamKey!);
            var position = PositionOf(e.Sequence);
            switch (e.Data)
            {
                case MessageSent:
                    RunOf(runs, key).Add(e.Version, "message", position);
                    break;
                // A retraction travels the same way as the message, pointing at the message's seq.
                case MessageRetracted retracted:
                    RunOf(runs, key).Add(retracted.Seq, "retract", position);
                    break;
                case var data when SessionChain.ChatItemsProjection.Of(data) is { } item:
                    RunOf(runs, key).Add(e.Version, item.Kind, position);
                    break;
                default:
                    // A membership change ends the session's run: what came before fans out to the members before it.
                    if (runs.Remove(key, out var run)) run.Queue(operations, key);
                    ApplyOne(operations, e, position);
                    break;
            }
        }
        foreach (var (key, run) in runs) run.Queue(operations, key);
    }

    private MessageRun RunOf(Dictionary<(string, string), MessageRun> runs, (string, string) key) =>
        runs.TryGetValue(key, out var run) ? run : runs[key] = new MessageRun(_readItems.MaxMembers);

    private void ApplyOne(IDocumentOperations operations, IEvent e, long position)
    {
        var (tenant, session) = (e.TenantId, e.StreamKey!);
        switch (e.Data)
        {
            case SessionOpened opened:
                operations.QueueSqlCommand(UserChainSql.OpenSession, tenant, session, Wire(opened.Type), Wire(opened.Diffusion),
                    opened.Policy.HistoryOnJoin);
                operations.QueueSqlCommand(UserChainSql.AddFirstMembers, tenant, session, opened.OpenedAt, opened.Members.ToArray());
                break;
            // Only a rebuild meets this: GC replaces old events in place, behind the daemon's progress.
            // The snapshot is all that is left of the session's opening and membership.
            case Compacted<Session> compacted:
                var snapshot = compacted.Snapshot;
                operations.QueueSqlCommand(UserChainSql.OpenSession, tenant, session, Wire(snapshot.Type), Wire(snapshot.Diffusion),
                    snapshot.Policy.HistoryOnJoin);
                operations.QueueSqlCommand(UserChainSql.AddFirstMembers, tenant, session, snapshot.OpenedAt, snapshot.Members.ToArray());
                break;
            case MembersJoined joined:
                var users = joined.UserIds.ToArray();
                operations.QueueSqlCommand(UserChainSql.Rejoin, e.Version, joined.JoinedAt, tenant, session, users);
                operations.QueueSqlCommand(UserChainSql.Join, tenant, session, e.Version, joined.JoinedAt, users, position,
                    _history.MaxMessages, _history.MaxRowsPerJoin);
                break;
            case MemberLeft left:
                operations.QueueSqlCommand(UserChainSql.Leave, e.Version, tenant, session, left.UserId);
                break;
            case DiffusionSwitched switched:
                operations.QueueSqlCommand(UserChainSql.SwitchDiffusion, Wire(switched.Diffusion), tenant, session);
                break;
            // Online-only broadcasts are pushed and never kept for sync.
            case BroadcastSent { OnlineOnly: false } b:
                operations.QueueSqlCommand(UserChainSql.Broadcast, tenant, position, b.MsgId, b.Type, b.Body.GetRawText(), b.Priority,
                    b.Tags.ToArray(), b.SentAt);
                break;
        }
    }

    /// <summary>Consecutive messages, retractions and chat items of one session, written as one statement.</summary>
    private sealed class MessageRun(int readItemsMaxMembers)
    {
        private readonly List<long> _seqs = [];
        private readonly List<string> _kinds = [];
        private readonly List<long> _positions = [];

        public void Add(long seq, string kind, long position)
        {
            _seqs.Add(seq);
            _kinds.Add(kind);
            _positions.Add(position);
        }

        public void Queue(IDocumentOperations operations, (string Tenant, string Session) key) =>
            operations.QueueSqlCommand(UserChainSql.Run, _seqs.ToArray(), _kinds.ToArray(), _positions.ToArray(), key.Tenant, key.Session,
                readItemsMaxMembers, key.Tenant, key.Session);
    }

    private static string Wire(SessionType type) => type switch
    {
        SessionType.C2c => "c2c",
        SessionType.Group => "group",
        _ => "room",
    };

    private static string Wire(Diffusion diffusion) => diffusion == Diffusion.Write ? "write" : "read";
}
