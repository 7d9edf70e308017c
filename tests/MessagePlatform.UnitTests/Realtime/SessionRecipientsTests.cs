using MessagePlatform.Api.Realtime;
using MessagePlatform.Contracts;
using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Realtime;

public sealed class SessionRecipientsTests
{
    private static MessageStored Message(long seq) => new(seq, $"m{seq}", "ann", "text", "\"hi\"", "normal", DateTimeOffset.UnixEpoch);

    /// <summary>What fan-out does with a batch: each change in order, a push's recipients as of its seq.</summary>
    private static List<string[]> Walk(SessionRecipients recipients, params SessionChange[] changes)
    {
        var pushes = new List<string[]>();
        foreach (var change in changes)
        {
            recipients.Apply(change);
            if (change is MessageStored m) pushes.Add(recipients.At(m.Seq));
        }
        return pushes;
    }

    [Fact]
    public void a_member_added_just_before_a_message_gets_it_and_one_removed_just_before_does_not()
    {
        var opened = new MembersReset(1, SessionType.Group, ["ann", "bob"]);
        var pushes = Walk(SessionRecipients.From(opened), opened, Message(2), new MembersAdded(3, ["carol"]), new MemberRemoved(4, "bob"), Message(5));
        Assert.Equal(["ann", "bob"], pushes[0].Order());
        Assert.Equal(["ann", "carol"], pushes[1].Order());
    }

    [Fact]
    public void a_stored_session_ahead_of_the_batch_gives_no_earlier_message_to_a_later_joiner()
    {
        // Fan-out meets the session at seq 2, but its stored document already shows dave joined at 3.
        var stored = Session.Open(new SessionOpened("g", SessionType.Group, ["ann"], new SessionPolicy("forever", "keep", 120), Diffusion.Write,
            DateTimeOffset.UnixEpoch)).Evolve(new MembersJoined(["dave"], DateTimeOffset.UnixEpoch), 3);
        var pushes = Walk(SessionRecipients.From(stored), Message(2), new MembersAdded(3, ["dave"]), Message(4));
        Assert.Equal(["ann"], pushes[0]);
        Assert.Equal(["ann", "dave"], pushes[1].Order());
    }

    [Fact]
    public void a_room_names_no_recipients_and_a_reset_starts_over()
    {
        var room = SessionRecipients.From(new MembersReset(1, SessionType.Room, []));
        Assert.Empty(room.At(2));
        var group = SessionRecipients.From(new MembersReset(1, SessionType.Group, ["ann", "bob"]));
        var pushes = Walk(group, new MembersReset(9, SessionType.Group, ["eve"]), Message(10), new SessionEnded(11));
        Assert.Equal(["eve"], pushes[0]);
        Assert.True(group.Ended);
    }
}
