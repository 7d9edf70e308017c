using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Broadcasts;

public sealed class TagRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void setting_tags_records_what_was_added_and_removed()
    {
        var change = Assert.IsType<UserTagsChanged>(Assert.Single(TagRules.Set("u", ["vip", "old"], ["vip", "female", "female"], Now).Events));
        Assert.Equal(["female"], change.Added);
        Assert.Equal(["old"], change.Removed);
    }

    [Fact]
    public void setting_the_same_tags_again_changes_nothing() =>
        Assert.Same(Decision.Nothing, TagRules.Set("u", ["a", "b"], ["b", "a"], Now));

    [Theory]
    [InlineData("vip", true)]
    [InlineData("tag/with/slash", false)]
    [InlineData("wild+", false)]
    [InlineData("#", false)]
    [InlineData("", false)]
    public void a_tag_fits_in_an_mqtt_topic(string tag, bool valid) =>
        Assert.Equal(valid, TagRules.Validate([tag]).Count == 0);

    [Fact]
    public void tags_are_required_and_bounded()
    {
        Assert.Contains("tags", TagRules.Validate(null).Keys);
        Assert.Contains("tags", TagRules.Validate([.. Enumerable.Range(0, 101).Select(i => $"t{i}")]).Keys);
        Assert.Empty(TagRules.Validate([]));
    }
}
