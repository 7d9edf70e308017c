using MessagePlatform.Api.Realtime;
using MessagePlatform.Contracts;

namespace MessagePlatform.UnitTests.Realtime;

public sealed class ReactionWindowTests
{
    private static ReactionStored R(long seq, string msgId, string reaction, string by) => new(seq, msgId, 1, reaction, by, true);

    [Fact]
    public void two_hundred_reactions_in_one_window_leave_as_one_entry_per_message()
    {
        var window = new ReactionWindow();
        for (var i = 0; i < 200; i++) window.Add("t", "room", true, [], R(10 + i, i % 2 == 0 ? "1" : "2", i % 3 == 0 ? "👍" : "❤️", $"u{i}"));

        var closed = window.Close();

        Assert.Equal(["1", "2"], closed.Select(m => m.MsgId).Order());
        Assert.All(closed, m => Assert.Equal(["❤️", "👍"], m.Reactions.Order()));
        Assert.Empty(window.Close());
    }

    [Fact]
    public void each_window_counts_on_its_own_and_sessions_stay_apart()
    {
        var window = new ReactionWindow();
        window.Add("t", "a", true, [], R(5, "1", "👍", "ann"));
        window.Add("t", "b", false, ["ann", "bob"], R(6, "1", "👍", "bob"));
        Assert.Equal(2, window.Close().Count);

        window.Add("t", "b", false, ["ann"], R(7, "1", "🎉", "ann"));
        var next = Assert.Single(window.Close());
        Assert.Equal("b", next.SessionId);
        Assert.Equal(["ann"], next.UserIds);
        Assert.Equal(["🎉"], next.Reactions);
    }
}
