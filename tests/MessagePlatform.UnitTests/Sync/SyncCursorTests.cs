using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Sync;

public sealed class SyncCursorTests
{
    [Fact]
    public void a_cursor_survives_its_round_trip()
    {
        var cursor = new SyncCursor(123, 4_567_890_123, 77);
        Assert.True(SyncCursor.TryDecode(cursor.Encode(), out var back));
        Assert.Equal(cursor, back);
    }

    [Fact]
    public void a_cursor_from_before_broadcasts_still_reads() // "v1.5.6"
    {
        Assert.True(SyncCursor.TryDecode("djEuNS42", out var cursor));
        Assert.Equal(new SyncCursor(5, 6, 0), cursor);
    }

    [Fact]
    public void no_cursor_is_the_start()
    {
        Assert.True(SyncCursor.TryDecode(null, out var cursor));
        Assert.Equal(SyncCursor.Start, cursor);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("djIuMS4y")] // v2.1.2
    [InlineData("djEuLTEuMA")] // v1.-1.0
    [InlineData("djEuMQ")] // v1.1
    public void anything_else_is_refused(string text) => Assert.False(SyncCursor.TryDecode(text, out _));
}

public sealed class SyncMergeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static SourcedItem<string> At(long position, int second, string name) => new(position, T0.AddSeconds(second), second, name);

    [Fact]
    public void both_sources_interleave_by_time_and_each_cursor_stops_at_what_it_returned()
    {
        var chain = new[] { At(11, 1, "c1"), At(12, 3, "c2"), At(13, 5, "c3") };
        var feed = new[] { At(101, 2, "f1"), At(102, 4, "f2") };
        var page = SyncMerge.Merge(new SyncCursor(10, 100), chain, new SyncWindow<string>(feed, 102, false), SyncWindow<string>.Empty(0), limit: 3);
        Assert.Equal(["c1", "f1", "c2"], page.Items);
        Assert.Equal(new SyncCursor(12, 101), page.Cursor);
        Assert.True(page.HasMore);
    }

    [Fact]
    public void broadcasts_interleave_by_time_with_the_chain_and_the_feed()
    {
        var chain = new[] { At(11, 1, "c1"), At(12, 4, "c2") };
        var feed = new SyncWindow<string>([At(101, 2, "f1")], 105, false);
        var broadcasts = new SyncWindow<string>([At(501, 3, "b1"), At(502, 5, "b2")], 510, false);
        var page = SyncMerge.Merge(new SyncCursor(10, 100, 500), chain, feed, broadcasts, limit: 4);
        Assert.Equal(["c1", "f1", "b1", "c2"], page.Items);
        Assert.Equal(new SyncCursor(12, 105, 501), page.Cursor);
        Assert.True(page.HasMore);
        var rest = SyncMerge.Merge(page.Cursor, [], SyncWindow<string>.Empty(105), new SyncWindow<string>([At(502, 5, "b2")], 510, false), 4);
        Assert.Equal(["b2"], rest.Items);
        Assert.Equal(new SyncCursor(12, 105, 510), rest.Cursor);
        Assert.False(rest.HasMore);
    }

    [Fact]
    public void when_every_visible_feed_item_is_taken_the_feed_cursor_moves_over_the_whole_scan()
    {
        var page = SyncMerge.Merge(new SyncCursor(0, 100), [], new SyncWindow<string>([At(150, 1, "f")], 2100, true), SyncWindow<string>.Empty(0), limit: 10);
        Assert.Equal(["f"], page.Items);
        Assert.Equal(new SyncCursor(0, 2100), page.Cursor);
        Assert.True(page.HasMore);
    }

    [Fact]
    public void nothing_new_keeps_the_cursor_and_says_so()
    {
        var cursor = new SyncCursor(7, 9);
        var page = SyncMerge.Merge<string>(cursor, [], SyncWindow<string>.Empty(9), SyncWindow<string>.Empty(0), limit: 10);
        Assert.Empty(page.Items);
        Assert.Equal(cursor, page.Cursor);
        Assert.False(page.HasMore);
    }
}
