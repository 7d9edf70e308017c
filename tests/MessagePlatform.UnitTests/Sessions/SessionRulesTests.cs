using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Sessions;

public sealed class SessionRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly SessionPolicy Policy = new("forever", "keep", 120);

    private static Session Opened(OpenSession command) =>
        Session.Open(Assert.IsType<SessionOpened>(Assert.Single(SessionRules.Open(null, command, Now).Events)));

    [Fact]
    public void a_c2c_id_is_the_same_whichever_side_opens_it() =>
        Assert.Equal(SessionRules.C2cId("bob", "alice"), SessionRules.C2cId("alice", "bob"));

    [Fact]
    public void opening_an_existing_c2c_is_a_no_op_but_an_existing_group_is_a_conflict()
    {
        var c2c = Opened(new OpenSession("c2c:a:b", SessionType.C2c, ["a", "b"], Policy, 500));
        Assert.Same(Decision.Nothing, SessionRules.Open(c2c, new OpenSession("c2c:a:b", SessionType.C2c, ["b", "a"], Policy, 500), Now));
        var group = Opened(new OpenSession("g", SessionType.Group, ["a"], Policy, 500));
        Assert.Equal(RejectionKind.Conflict,
            SessionRules.Open(group, new OpenSession("g", SessionType.Group, ["a"], Policy, 500), Now).Rejection?.Kind);
    }

    [Theory]
    [InlineData(SessionType.C2c, 2, Diffusion.Write)]
    [InlineData(SessionType.Group, 500, Diffusion.Write)]
    [InlineData(SessionType.Group, 501, Diffusion.Read)]
    [InlineData(SessionType.Room, 0, Diffusion.Read)]
    public void diffusion_follows_type_and_size(SessionType type, int members, Diffusion expected) =>
        Assert.Equal(expected, SessionRules.DiffusionFor(type, members, writeDiffusionThreshold: 500));

    [Fact]
    public void joining_past_the_threshold_switches_to_read_and_leaving_below_switches_back()
    {
        var group = Opened(new OpenSession("g", SessionType.Group, ["a", "b"], Policy, 2));
        var join = SessionRules.AddMembers(group, ["c", "a"], writeDiffusionThreshold: 2, Now);
        Assert.Equal([typeof(MembersJoined), typeof(DiffusionSwitched)], join.Events.Select(e => e.GetType()));
        Assert.Equal(["c"], ((MembersJoined)join.Events[0]).UserIds);
        var grown = join.Events.Aggregate(group, (s, e) => s.Evolve(e));
        Assert.Equal(Diffusion.Read, grown.Diffusion);

        var leave = SessionRules.RemoveMember(grown, "c", writeDiffusionThreshold: 2, Now);
        var shrunk = leave.Events.Aggregate(grown, (s, e) => s.Evolve(e));
        Assert.Equal(Diffusion.Write, shrunk.Diffusion);
        Assert.Equal(["a", "b"], shrunk.Members);
    }

    [Fact]
    public void adding_only_existing_members_changes_nothing() =>
        Assert.Same(Decision.Nothing,
            SessionRules.AddMembers(Opened(new OpenSession("g", SessionType.Group, ["a"], Policy, 500)), ["a"], 500, Now));

    [Fact]
    public void c2c_membership_is_fixed_and_a_non_member_cannot_be_removed()
    {
        var c2c = Opened(new OpenSession("c2c:a:b", SessionType.C2c, ["a", "b"], Policy, 500));
        Assert.Equal(RejectionKind.Conflict, SessionRules.AddMembers(c2c, ["c"], 500, Now).Rejection?.Kind);
        var group = Opened(new OpenSession("g", SessionType.Group, ["a"], Policy, 500));
        Assert.Equal(RejectionKind.NotFound, SessionRules.RemoveMember(group, "z", 500, Now).Rejection?.Kind);
    }

    [Fact]
    public void closing_twice_is_a_no_op_and_a_closed_session_takes_no_members()
    {
        var group = Opened(new OpenSession("g", SessionType.Group, ["a"], Policy, 500));
        var closed = group.Evolve(Assert.Single(SessionRules.Close(group, Now).Events));
        Assert.True(closed.Closed);
        Assert.Same(Decision.Nothing, SessionRules.Close(closed, Now));
        Assert.Equal(RejectionKind.Conflict, SessionRules.AddMembers(closed, ["b"], 500, Now).Rejection?.Kind);
    }

    [Fact]
    public void a_policy_fills_gaps_from_the_default_and_names_bad_fields()
    {
        var (policy, errors) = SessionPolicy.Merge(Policy, "last:50", null, null);
        Assert.Empty(errors);
        Assert.Equal(new SessionPolicy("last:50", "keep", 120), policy);
        var (_, bad) = SessionPolicy.Merge(Policy, "days:0", "burn", -1);
        Assert.Equal(["policy.onClose", "policy.recallWindowSeconds", "policy.retention"], bad.Keys.Order());
    }

    [Fact]
    public void the_edit_window_defaults_to_a_day_and_is_bounded_like_the_recall_window()
    {
        Assert.Equal(86_400, SessionPolicy.Merge(Policy, null, null, null).Policy.EditWindowSeconds);
        Assert.Equal(0, SessionPolicy.Merge(Policy, null, null, null, editWindowSeconds: 0).Policy.EditWindowSeconds);
        Assert.Equal(60, SessionPolicy.Merge(Policy with { EditWindowSeconds = 60 }, null, null, null).Policy.EditWindowSeconds);
        Assert.Empty(SessionPolicy.Merge(Policy, null, null, null, editWindowSeconds: 31_536_000).Errors);
        Assert.Equal(["policy.editWindowSeconds"], SessionPolicy.Merge(Policy, null, null, null, editWindowSeconds: -1).Errors.Keys);
        Assert.Equal(["policy.editWindowSeconds"], SessionPolicy.Merge(Policy, null, null, null, editWindowSeconds: 31_536_001).Errors.Keys);
    }

    [Fact]
    public void scenario_defaults_match_the_contract()
    {
        Assert.Equal(new SessionPolicy("last:1000", "delete", 120), ScenarioDefaults.PolicyFor(Scenario.Live));
        Assert.Equal(new SessionPolicy("forever", "keep", 120), ScenarioDefaults.PolicyFor(Scenario.Enterprise));
        Assert.Equal(new SessionPolicy("days:7", "keep", 120), ScenarioDefaults.PolicyFor(Scenario.Social));
    }
}
