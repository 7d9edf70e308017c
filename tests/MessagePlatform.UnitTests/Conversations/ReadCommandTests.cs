using MessagePlatform.Api.Conversations;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Conversations;

public sealed class ReadCommandTests
{
    private const string Tenant = "t";
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly StreamContext Context = new(Now, new MsgIds(1, TimeProvider.System));
    private static readonly Dictionary<(string, string, string), SendReceipt> NoReceipts = [];

    private static Session Group(params string[] members) => Session.Open(
        new SessionOpened("g", SessionType.Group, members, new SessionPolicy("forever", "keep", 120), Diffusion.Write, Now));

    private static async Task<ReadCommand> Prepared(string user, long seq, long mark)
    {
        var command = new ReadCommand(Tenant, new MarkRead("g", user, seq), _ => Task.FromResult(mark));
        await command.PrepareAsync(CancellationToken.None);
        return command;
    }

    private static BatchDecision Decide(StreamCommand command, long version, bool fresh = true) =>
        BatchRules.Decide(Tenant, [command], new Dictionary<string, SessionAtHand> { ["g"] = new(Group("ann", "bob"), version, fresh) }, NoReceipts,
            new RecentReceipts(10), Context);

    [Fact]
    public async Task a_mark_past_the_head_stops_at_the_streams_version_in_the_lane()
    {
        var decision = Decide(await Prepared("ann", 1000, mark: 0), version: 9);
        var read = Assert.IsType<ConversationRead>(Assert.Single(Assert.Single(decision.Appends).Events).Data);
        Assert.Equal(("ann", 9L), (read.UserId, read.Seq));
        Assert.Equal(10, Assert.Single(decision.Outcomes[0].Appended).Version);
    }

    [Fact]
    public async Task a_mark_at_or_behind_the_prepared_one_appends_nothing_and_on_cached_state_is_checked_again()
    {
        Assert.Empty(Decide(await Prepared("ann", 4, mark: 5), version: 9).Appends);
        Assert.Equal(["g"], Decide(await Prepared("ann", 5, mark: 5), version: 9, fresh: false).Stale);
    }

    [Fact]
    public async Task a_non_member_is_refused_not_found()
    {
        var decision = Decide(await Prepared("eve", 3, mark: 0), version: 9);
        Assert.Equal(RejectionKind.NotFound, decision.Outcomes[0].Rejection!.Kind);
    }
}
