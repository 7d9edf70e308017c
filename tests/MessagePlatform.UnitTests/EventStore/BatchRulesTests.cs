using System.Text.Json;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.EventStore;

public sealed class BatchRulesTests
{
    private const string Tenant = "t";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly JsonElement Hello = JsonDocument.Parse("""{"text":"hi"}""").RootElement;
    private static readonly StreamContext Context = new(Now, new MsgIds(1, TimeProvider.System));
    private static readonly Dictionary<(string, string, string), SendReceipt> NoReceipts = [];

    private static SessionOpened Opening(string id, params string[] members) =>
        new(id, SessionType.Group, members, new SessionPolicy("forever", "keep", 120), Diffusion.Write, Now);

    private static Session Group(string id, params string[] members) => Session.Open(Opening(id, members));

    private static SendCommand Send(string session, string from, string clientMsgId) =>
        new(Tenant, new SendMessage(session, from, clientMsgId, "text", Hello, "normal"));

    /// <summary>A command whose rule is given, done once per key in a batch (as a retraction is).</summary>
    private sealed record Once(string SessionId, string Key, Func<Session?, Decision> Rule) : StreamCommand(Tenant, SessionId)
    {
        public override Decision Decide(Session? state, StreamContext context) => Rule(state);
        public override string? OnceKey => Key;
    }

    private static BatchDecision Decide(
        IReadOnlyList<StreamCommand> commands, Dictionary<string, SessionAtHand> sessions,
        Dictionary<(string, string, string), SendReceipt>? known = null, RecentReceipts? recent = null) =>
        BatchRules.Decide(Tenant, commands, sessions, known ?? NoReceipts, recent ?? new RecentReceipts(100), Context);

    [Fact]
    public void sends_append_after_the_sessions_version_with_one_receipt_each()
    {
        var decision = Decide([Send("g", "a", "c1"), Send("g", "b", "c2")],
            new() { ["g"] = new(Group("g", "a", "b"), 7, Fresh: false) });

        var append = Assert.Single(decision.Appends);
        Assert.Equal(("g", 7L, 9L), (append.SessionId, append.Expected, append.Version));
        Assert.Equal([0, 1], append.Events.Select(e => e.Command));
        Assert.Equal([8L, 9L], decision.Receipts.Select(r => r.Seq));
        Assert.Equal([8L, 9L], decision.Outcomes.Select(o => Assert.Single(o.Appended).Version));
        Assert.Empty(decision.Stale);
    }

    [Fact]
    public void a_client_msg_id_repeated_within_the_batch_stores_one_message_and_both_get_its_receipt()
    {
        var decision = Decide([Send("g", "a", "c1"), Send("g", "a", "c1")],
            new() { ["g"] = new(Group("g", "a"), 3, Fresh: false) });

        Assert.Single(Assert.Single(decision.Appends).Events);
        var receipt = Assert.Single(decision.Receipts);
        Assert.Equal(4, receipt.Seq);
        Assert.Null(decision.Outcomes[0].Duplicate);
        Assert.Same(receipt, decision.Outcomes[1].Duplicate);
        Assert.Empty(decision.Outcomes[1].Appended);
    }

    [Fact]
    public void a_send_with_a_stored_receipt_gets_that_receipt_and_appends_nothing()
    {
        var earlier = new SendReceipt("g", "a", "c1", 99, 2, Now.AddMinutes(-1));
        var decision = Decide([Send("g", "a", "c1")], new() { ["g"] = new(Group("g", "a"), 5, Fresh: true) },
            known: new() { [("g", "a", "c1")] = earlier });

        Assert.Empty(decision.Appends);
        Assert.Empty(decision.Receipts);
        Assert.Same(earlier, decision.Outcomes[0].Duplicate);
        Assert.Equal(5, decision.Outcomes[0].Version);
    }

    [Fact]
    public void a_receipt_the_lane_remembers_answers_only_for_the_same_opening_of_the_session()
    {
        var group = Group("g", "a");
        var earlier = new SendReceipt("g", "a", "c1", 99, 2, Now.AddMinutes(-1));
        var recent = new RecentReceipts(100);
        recent.Add(Tenant, group.OpenedAt, earlier);

        var same = Decide([Send("g", "a", "c1")], new() { ["g"] = new(group, 5, Fresh: false) }, recent: recent);
        Assert.Same(earlier, same.Outcomes[0].Duplicate);
        Assert.Empty(same.Appends);

        // GC removed the session and it was opened again under the same id: a new session.
        var reopened = group with { OpenedAt = Now.AddDays(1) };
        var fresh = Decide([Send("g", "a", "c1")], new() { ["g"] = new(reopened, 1, Fresh: false) }, recent: recent);
        Assert.Null(fresh.Outcomes[0].Duplicate);
        Assert.Equal(2, Assert.Single(fresh.Receipts).Seq);
    }

    [Fact]
    public void commands_with_one_once_key_do_their_work_once_and_the_second_is_a_no_op()
    {
        var closeOnce = (Session? _) => Decision.Append(new SessionClosed(Now));
        var decision = Decide([new Once("g", "k", closeOnce), new Once("g", "k", closeOnce)],
            new() { ["g"] = new(Group("g", "a"), 4, Fresh: false) });

        Assert.Single(Assert.Single(decision.Appends).Events);
        Assert.Single(decision.Outcomes[0].Appended);
        Assert.Empty(decision.Outcomes[1].Appended);
        Assert.Null(decision.Outcomes[1].Rejection);
        Assert.Empty(decision.Stale);
    }

    [Fact]
    public void a_refusal_decided_on_cached_state_is_stale_and_nothing_of_the_batch_is_decided()
    {
        var decision = Decide([Send("h", "a", "c0"), Send("g", "stranger", "c1")], new()
        {
            ["h"] = new(Group("h", "a"), 1, Fresh: false),
            ["g"] = new(Group("g", "a"), 1, Fresh: false),
        });

        Assert.Equal(["g"], decision.Stale);
        Assert.Empty(decision.Appends);
        Assert.Empty(decision.Receipts);
        Assert.Empty(decision.Outcomes);
    }

    [Fact]
    public void a_refusal_decided_on_fresh_state_is_answered_and_the_others_still_append()
    {
        var decision = Decide([Send("g", "stranger", "c1"), Send("g", "a", "c2")],
            new() { ["g"] = new(Group("g", "a"), 1, Fresh: true) });

        Assert.Empty(decision.Stale);
        Assert.Equal(RejectionKind.Forbidden, decision.Outcomes[0].Rejection?.Kind);
        Assert.Equal(1, Assert.Single(Assert.Single(decision.Appends).Events).Command);
    }

    [Fact]
    public void a_no_op_is_stale_on_cached_state_and_answered_with_nothing_on_fresh_state()
    {
        var nothing = new SessionCommand(Tenant, "g", (_, _) => Decision.Nothing);

        Assert.Equal(["g"], Decide([nothing], new() { ["g"] = new(Group("g"), 2, Fresh: false) }).Stale);

        var fresh = Decide([nothing], new() { ["g"] = new(Group("g"), 2, Fresh: true) });
        Assert.Empty(fresh.Stale);
        Assert.Empty(fresh.Appends);
        Assert.Equal((2L, 0), (fresh.Outcomes[0].Version, fresh.Outcomes[0].Appended.Count));
    }

    [Fact]
    public void opening_a_session_starts_its_stream_at_version_zero_and_later_commands_see_it_open()
    {
        var open = new SessionCommand(Tenant, "g", (state, _) => state is null ? Decision.Append(Opening("g", "a")) : Decision.Nothing);
        var decision = Decide([open, Send("g", "a", "c1")], new() { ["g"] = new(null, 0, Fresh: true) });

        var append = Assert.Single(decision.Appends);
        Assert.Equal((0L, 2L), (append.Expected, append.Version));
        Assert.IsType<SessionOpened>(append.Events[0].Data);
        Assert.IsType<MessageSent>(append.Events[1].Data);
        Assert.Equal(["a"], append.State!.Members.ToArray());
        Assert.Equal(2, Assert.Single(decision.Receipts).Seq);
    }

    [Fact]
    public void commands_of_several_sessions_append_per_session_and_are_answered_in_the_batchs_order()
    {
        var decision = Decide([Send("g", "a", "1"), Send("h", "b", "2"), Send("g", "a", "3"), Send("k", "c", "4")], new()
        {
            ["g"] = new(Group("g", "a"), 10, Fresh: false),
            ["h"] = new(Group("h", "b"), 20, Fresh: true),
            ["k"] = new(Group("k", "x"), 30, Fresh: true),
        });

        Assert.Equal(["g", "h"], decision.Appends.Select(a => a.SessionId));
        Assert.Equal([0, 2], decision.Appends[0].Events.Select(e => e.Command));
        Assert.Equal(12, decision.Appends[0].Version);
        Assert.Equal(21, decision.Appends[1].Version);
        Assert.Equal([11L, 21L, 12L], decision.Outcomes.Take(3).Select(o => Assert.Single(o.Appended).Version));
        Assert.Equal(RejectionKind.Forbidden, decision.Outcomes[3].Rejection?.Kind);
    }
}
