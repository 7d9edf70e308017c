using MessagePlatform.Api.Platform;
using static MessagePlatform.IntegrationTests.Infrastructure.StartupInputs;

namespace MessagePlatform.IntegrationTests.Operations;

public sealed class StartupTests
{
    [Fact]
    public void production_refuses_to_start_without_an_admin_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PlatformOptions.From(Config(), Env("Production")));
        Assert.Contains("MP_ADMIN_KEY", error.Message);
        Assert.Equal("k", PlatformOptions.From(Config(("MP_ADMIN_KEY", "k")), Env("Production")).AdminKey);
    }

    [Fact]
    public void development_gets_a_development_admin_key_and_defaults()
    {
        var options = PlatformOptions.From(Config(), Env("Development"));
        Assert.Equal(PlatformOptions.DevelopmentAdminKey, options.AdminKey);
        Assert.Equal("inmemory", options.Transport);
        Assert.Equal(0, options.NodeId);
    }

    [Theory]
    [InlineData("MP_NODE_ID", "1024")]
    [InlineData("MP_TRANSPORT", "kafka")]
    public void invalid_configuration_is_refused_at_start(string key, string value) =>
        Assert.Throws<InvalidOperationException>(() => PlatformOptions.From(Config((key, value), ("MP_ADMIN_KEY", "k")), Env("Production")));
}
